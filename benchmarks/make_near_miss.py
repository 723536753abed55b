"""Writes the near-miss answer sets (English, Korean) in SQuAD format, with a ``distractors`` list on
each question: the other fact of the same type in the same note. Every note is asked twice, once for
each of its two facts, so a model that always takes the first (or the last) one scores 50%.

    .venv/bin/python benchmarks/make_near_miss.py benchmarks/data
    .venv/bin/mysearch eval-answers benchmarks/data/near_miss_en.json --articles 15 --questions 30 --unanswerable 0

``cross_en_over_ko.json`` asks the Korean notes in English and ``cross_ko_over_en.json`` the English notes in
Korean (the answer must come in the question's language: ``eval-answers`` reports ``in_question_language``).
"""

import json
import sys
from pathlib import Path

EN = [
    ("Boiler", "Boiler log. The boiler was serviced on 2 November 2023 by Hanson Heating. "
     "The next service is due in November 2024.",
     [("When was the boiler last serviced?", "2 November 2023", "November 2024"),
      ("When is the next boiler service due?", "November 2024", "2 November 2023")]),
    ("Car insurance", "Car papers. Insurance policy number: PLC-448213. "
     "Rental confirmation number for the trip to Lyon: RC-90177.",
     [("What is the car insurance policy number?", "PLC-448213", "RC-90177"),
      ("What is the rental confirmation number for the Lyon trip?", "RC-90177", "PLC-448213")]),
    ("Dentist", "Dentist. My last check-up was on 14 March. The hygienist appointment is booked for 9 May at 10:30.",
     [("When was my last dentist check-up?", "14 March", "9 May"),
      ("When is the hygienist appointment?", "9 May", "14 March")]),
    ("Flat", "Flat contract. The monthly rent is 1,250 euros. The deposit paid at signing was 3,750 euros.",
     [("How much is the monthly rent?", "1,250", "3,750"),
      ("How much was the deposit?", "3,750", "1,250")]),
    ("Roof", "Roof repair. The roof was inspected by Dana Ortiz. "
     "The repair itself was done by Milo Brandt from Brandt Roofing.",
     [("Who inspected the roof?", "Dana Ortiz", "Milo Brandt"),
      ("Who repaired the roof?", "Milo Brandt", "Dana Ortiz")]),
    ("Passport", "Passports. Anna's passport expires on 30 June 2027. Ben's passport expires on 12 January 2026.",
     [("When does Anna's passport expire?", "30 June 2027", "12 January 2026"),
      ("When does Ben's passport expire?", "12 January 2026", "30 June 2027")]),
    ("Wi-Fi", "Router. The Wi-Fi password is maple-river-42. The router admin password is Qx7-harbor.",
     [("What is the Wi-Fi password?", "maple-river-42", "Qx7-harbor"),
      ("What is the router admin password?", "Qx7-harbor", "maple-river-42")]),
    ("Train", "Train to Vienna. The outbound train leaves at 07:42 from platform 3. "
     "The return train leaves Vienna at 18:15.",
     [("What time does the outbound train leave?", "07:42", "18:15"),
      ("What time does the return train leave Vienna?", "18:15", "07:42")]),
    ("Bike", "Bike. Frame serial number WTU-5531-K. The lock code is 8164.",
     [("What is the bike's frame serial number?", "WTU-5531-K", "8164"),
      ("What is the bike lock code?", "8164", "WTU-5531-K")]),
    ("School", "School term. The autumn term starts on 4 September. Parents' evening is on 17 October.",
     [("When does the autumn term start?", "4 September", "17 October"),
      ("When is parents' evening?", "17 October", "4 September")]),
    ("Electricity", "Electricity. The meter reading in January was 18,402 kWh. The reading in July was 20,117 kWh.",
     [("What was the electricity meter reading in January?", "18,402", "20,117"),
      ("What was the electricity meter reading in July?", "20,117", "18,402")]),
    ("Garden", "Garden. The apple tree was planted in 2019. The pear tree was planted in 2021.",
     [("When was the apple tree planted?", "2019", "2021"),
      ("When was the pear tree planted?", "2021", "2019")]),
    ("Doctor", "Health. My GP is Dr. Lena Weiss. The cardiologist I was referred to is Dr. Omar Haddad.",
     [("Who is my GP?", "Lena Weiss", "Omar Haddad"),
      ("Who is the cardiologist I was referred to?", "Omar Haddad", "Lena Weiss")]),
    ("Laptop", "Laptop. Bought on 3 February 2024 for 1,099 dollars. The warranty ends on 3 February 2026.",
     [("When was the laptop bought?", "3 February 2024", "3 February 2026"),
      ("When does the laptop warranty end?", "3 February 2026", "3 February 2024")]),
    ("Wedding", "Wedding. The ceremony starts at 14:00 at St. "
     "Mary's church. The dinner starts at 19:30 at the Lakeside Hotel.",
     [("Where is the wedding ceremony?", "St. Mary's church", "Lakeside Hotel"),
      ("Where is the wedding dinner?", "Lakeside Hotel", "St. Mary's church")]),
]

KO = [
    ("보일러", "보일러 기록. 보일러 점검은 2023년 11월 2일에 한빛설비가 했다. 다음 점검 예정일은 2024년 11월이다.",
     [("보일러를 마지막으로 점검한 날은 언제인가?", "2023년 11월 2일", "2024년 11월"),
      ("다음 보일러 점검 예정일은 언제인가?", "2024년 11월", "2023년 11월 2일")]),
    ("자동차 보험", "자동차 서류. 자동차 보험 증권번호는 PLC-448213이다. 제주 여행 렌터카 예약번호는 RC-90177이다.",
     [("자동차 보험 증권번호는 무엇인가?", "PLC-448213", "RC-90177"),
      ("제주 여행 렌터카 예약번호는 무엇인가?", "RC-90177", "PLC-448213")]),
    ("치과", "치과. 지난 정기검진은 3월 14일이었다. 스케일링 예약은 5월 9일 오전 10시 30분이다.",
     [("지난 치과 정기검진은 언제였나?", "3월 14일", "5월 9일"),
      ("스케일링 예약은 언제인가?", "5월 9일", "3월 14일")]),
    ("전세 계약", "집 계약. 월세는 85만 원이다. 계약할 때 낸 보증금은 1,000만 원이다.",
     [("월세는 얼마인가?", "85만", "1,000만"),
      ("계약할 때 낸 보증금은 얼마인가?", "1,000만", "85만")]),
    ("지붕 수리", "지붕. 지붕 점검은 김서연 씨가 했다. 실제 수리는 박준호 씨가 맡았다.",
     [("지붕을 점검한 사람은 누구인가?", "김서연", "박준호"),
      ("지붕을 수리한 사람은 누구인가?", "박준호", "김서연")]),
    ("여권", "여권. 민지의 여권 만료일은 2027년 6월 30일이다. 준서의 여권 만료일은 2026년 1월 12일이다.",
     [("민지의 여권은 언제 만료되나?", "2027년 6월 30일", "2026년 1월 12일"),
      ("준서의 여권은 언제 만료되나?", "2026년 1월 12일", "2027년 6월 30일")]),
    ("와이파이", "공유기. 와이파이 비밀번호는 maple-river-42이다. 공유기 관리자 비밀번호는 Qx7-harbor이다.",
     [("와이파이 비밀번호는 무엇인가?", "maple-river-42", "Qx7-harbor"),
      ("공유기 관리자 비밀번호는 무엇인가?", "Qx7-harbor", "maple-river-42")]),
    ("부산 기차", "부산 기차. 가는 기차는 오전 7시 42분에 3번 승강장에서 출발한다. "
     "오는 기차는 부산에서 오후 6시 15분에 출발한다.",
     [("부산 가는 기차는 몇 시에 출발하나?", "7시 42분", "6시 15분"),
      ("부산에서 오는 기차는 몇 시에 출발하나?", "6시 15분", "7시 42분")]),
    ("자전거", "자전거. 프레임 일련번호는 WTU-5531-K이다. 자물쇠 번호는 8164이다.",
     [("자전거 프레임 일련번호는 무엇인가?", "WTU-5531-K", "8164"),
      ("자전거 자물쇠 번호는 무엇인가?", "8164", "WTU-5531-K")]),
    ("학교", "학교 일정. 2학기 개학은 8월 26일이다. 학부모 상담 주간은 10월 17일부터다.",
     [("2학기 개학은 언제인가?", "8월 26일", "10월 17일"),
      ("학부모 상담 주간은 언제부터인가?", "10월 17일", "8월 26일")]),
    ("전기 계량기", "전기. 1월 계량기 검침값은 18,402kWh였다. 7월 검침값은 20,117kWh였다.",
     [("1월 전기 계량기 검침값은 얼마였나?", "18,402", "20,117"),
      ("7월 전기 계량기 검침값은 얼마였나?", "20,117", "18,402")]),
    ("정원", "정원. 사과나무는 2019년에 심었다. 배나무는 2021년에 심었다.",
     [("사과나무는 언제 심었나?", "2019", "2021"),
      ("배나무는 언제 심었나?", "2021", "2019")]),
    ("병원", "병원. 내 주치의는 이정민 선생님이다. 의뢰받은 심장내과 의사는 최현우 선생님이다.",
     [("내 주치의는 누구인가?", "이정민", "최현우"),
      ("의뢰받은 심장내과 의사는 누구인가?", "최현우", "이정민")]),
    ("노트북", "노트북. 2024년 2월 3일에 139만 원에 샀다. 보증 기간은 2026년 2월 3일에 끝난다.",
     [("노트북은 언제 샀나?", "2024년 2월 3일", "2026년 2월 3일"),
      ("노트북 보증 기간은 언제 끝나나?", "2026년 2월 3일", "2024년 2월 3일")]),
    ("결혼식", "결혼식. 예식은 오후 2시에 명동성당에서 시작한다. 피로연은 오후 7시 30분에 호수호텔에서 한다.",
     [("결혼식 예식은 어디에서 하나?", "명동성당", "호수호텔"),
      ("피로연은 어디에서 하나?", "호수호텔", "명동성당")]),
]


# Cross-language: each note of one language asked in the other, with the fact as the note writes it first
# and as an answer in the question's language may write it (dates, amounts, names written out)
EN_QUESTIONS_FOR_KO = [  # the Korean notes (KO), in order: two English questions each
    [("When was the boiler last serviced?", ["2023년 11월 2일", "2 November 2023", "November 2, 2023"],
      ["2024년 11월", "November 2024"]),
     ("When is the next boiler service due?", ["2024년 11월", "November 2024"],
      ["2023년 11월 2일", "2 November 2023", "November 2, 2023"])],
    [("What is the car insurance policy number?", ["PLC-448213"], ["RC-90177"]),
     ("What is the rental car booking number for the Jeju trip?", ["RC-90177"], ["PLC-448213"])],
    [("When was my last dental check-up?", ["3월 14일", "14 March", "March 14"], ["5월 9일", "9 May", "May 9"]),
     ("When is the scaling appointment?", ["5월 9일", "9 May", "May 9"], ["3월 14일", "14 March", "March 14"])],
    [("How much is the monthly rent?", ["85만", "850,000"], ["1,000만", "10,000,000", "10 million"]),
     ("How much was the deposit paid at signing?", ["1,000만", "10,000,000", "10 million"], ["85만", "850,000"])],
    [("Who inspected the roof?", ["김서연", "Kim Seo-yeon", "Kim Seoyeon"], ["박준호", "Park Jun-ho", "Park Junho"]),
     ("Who repaired the roof?", ["박준호", "Park Jun-ho", "Park Junho"], ["김서연", "Kim Seo-yeon", "Kim Seoyeon"])],
    [("When does Minji's passport expire?", ["2027년 6월 30일", "30 June 2027", "June 30, 2027"],
      ["2026년 1월 12일", "12 January 2026", "January 12, 2026"]),
     ("When does Junseo's passport expire?", ["2026년 1월 12일", "12 January 2026", "January 12, 2026"],
      ["2027년 6월 30일", "30 June 2027", "June 30, 2027"])],
    [("What is the Wi-Fi password?", ["maple-river-42"], ["Qx7-harbor"]),
     ("What is the router admin password?", ["Qx7-harbor"], ["maple-river-42"])],
    [("What time does the train to Busan leave?", ["7시 42분", "7:42"], ["6시 15분", "6:15", "18:15"]),
     ("What time does the train back from Busan leave?", ["6시 15분", "6:15", "18:15"], ["7시 42분", "7:42"])],
    [("What is the bike frame serial number?", ["WTU-5531-K"], ["8164"]),
     ("What is the bike lock code?", ["8164"], ["WTU-5531-K"])],
    [("When does the second semester start?", ["8월 26일", "26 August", "August 26"],
      ["10월 17일", "17 October", "October 17"]),
     ("When does the parent consultation week start?", ["10월 17일", "17 October", "October 17"],
      ["8월 26일", "26 August", "August 26"])],
    [("What was the electricity meter reading in January?", ["18,402"], ["20,117"]),
     ("What was the electricity meter reading in July?", ["20,117"], ["18,402"])],
    [("When was the apple tree planted?", ["2019"], ["2021"]),
     ("When was the pear tree planted?", ["2021"], ["2019"])],
    [("Who is my family doctor?", ["이정민", "Lee Jeong-min", "Lee Jungmin"],
      ["최현우", "Choi Hyun-woo", "Choi Hyunwoo"]),
     ("Who is the cardiologist I was referred to?", ["최현우", "Choi Hyun-woo", "Choi Hyunwoo"],
      ["이정민", "Lee Jeong-min", "Lee Jungmin"])],
    [("When was the laptop bought?", ["2024년 2월 3일", "3 February 2024", "February 3, 2024"],
      ["2026년 2월 3일", "3 February 2026", "February 3, 2026"]),
     ("When does the laptop warranty end?", ["2026년 2월 3일", "3 February 2026", "February 3, 2026"],
      ["2024년 2월 3일", "3 February 2024", "February 3, 2024"])],
    [("Where is the wedding ceremony held?", ["명동성당", "Myeongdong Cathedral"],
      ["호수호텔", "Lake Hotel", "Hosu Hotel"]),
     ("Where is the wedding reception?", ["호수호텔", "Lake Hotel", "Hosu Hotel"],
       ["명동성당", "Myeongdong Cathedral"])],
]
KO_QUESTIONS_FOR_EN = [  # the English notes (EN), in order: two Korean questions each
    [("보일러를 마지막으로 점검한 날은 언제인가?", ["2 November 2023", "2023년 11월 2일"],
      ["November 2024", "2024년 11월"]),
     ("다음 보일러 점검 예정일은 언제인가?", ["November 2024", "2024년 11월"], ["2 November 2023", "2023년 11월 2일"])],
    [("자동차 보험 증권번호는 무엇인가?", ["PLC-448213"], ["RC-90177"]),
     ("리옹 여행 렌터카 예약번호는 무엇인가?", ["RC-90177"], ["PLC-448213"])],
    [("지난 치과 검진은 언제였나?", ["14 March", "3월 14일"], ["9 May", "5월 9일"]),
     ("치위생사 예약은 언제인가?", ["9 May", "5월 9일"], ["14 March", "3월 14일"])],
    [("월세는 얼마인가?", ["1,250"], ["3,750"]),
     ("계약할 때 낸 보증금은 얼마인가?", ["3,750"], ["1,250"])],
    [("지붕을 점검한 사람은 누구인가?", ["Dana Ortiz", "다나 오르티스"], ["Milo Brandt", "마일로 브란트"]),
     ("지붕을 수리한 사람은 누구인가?", ["Milo Brandt", "마일로 브란트"], ["Dana Ortiz", "다나 오르티스"])],
    [("안나의 여권은 언제 만료되나?", ["30 June 2027", "2027년 6월 30일"], ["12 January 2026", "2026년 1월 12일"]),
     ("벤의 여권은 언제 만료되나?", ["12 January 2026", "2026년 1월 12일"], ["30 June 2027", "2027년 6월 30일"])],
    [("와이파이 비밀번호는 무엇인가?", ["maple-river-42"], ["Qx7-harbor"]),
     ("공유기 관리자 비밀번호는 무엇인가?", ["Qx7-harbor"], ["maple-river-42"])],
    [("빈으로 가는 기차는 몇 시에 출발하나?", ["07:42", "7시 42분"], ["18:15", "6시 15분"]),
     ("빈에서 돌아오는 기차는 몇 시에 출발하나?", ["18:15", "6시 15분"], ["07:42", "7시 42분"])],
    [("자전거 프레임 일련번호는 무엇인가?", ["WTU-5531-K"], ["8164"]),
     ("자전거 자물쇠 번호는 무엇인가?", ["8164"], ["WTU-5531-K"])],
    [("가을 학기는 언제 시작하나?", ["4 September", "9월 4일"], ["17 October", "10월 17일"]),
     ("학부모 상담의 날은 언제인가?", ["17 October", "10월 17일"], ["4 September", "9월 4일"])],
    [("1월 전기 계량기 검침값은 얼마였나?", ["18,402"], ["20,117"]),
     ("7월 전기 계량기 검침값은 얼마였나?", ["20,117"], ["18,402"])],
    [("사과나무는 언제 심었나?", ["2019"], ["2021"]),
     ("배나무는 언제 심었나?", ["2021"], ["2019"])],
    [("내 주치의는 누구인가?", ["Lena Weiss", "레나 바이스"], ["Omar Haddad", "오마르 하다드"]),
     ("의뢰받은 심장내과 의사는 누구인가?", ["Omar Haddad", "오마르 하다드"], ["Lena Weiss", "레나 바이스"])],
    [("노트북은 언제 샀나?", ["3 February 2024", "2024년 2월 3일"], ["3 February 2026", "2026년 2월 3일"]),
     ("노트북 보증은 언제 끝나나?", ["3 February 2026", "2026년 2월 3일"], ["3 February 2024", "2024년 2월 3일"])],
    [("결혼식 예식은 어디에서 하나?", ["St. Mary's church", "St Mary", "세인트 메리", "성 마리아"],
      ["Lakeside Hotel", "레이크사이드"]),
     ("피로연은 어디에서 하나?", ["Lakeside Hotel", "레이크사이드"],
       ["St. Mary's church", "St Mary", "세인트 메리", "성 마리아"])],
]


def squad(notes: list, lang: str) -> dict:
    data = []
    for i, (title, text, qas) in enumerate(notes):
        data.append({"title": title, "paragraphs": [{"context": text, "qas": [
            {"id": f"near-{lang}-{i:02d}-{j}", "question": q,
             "answers": [{"text": gold, "answer_start": text.find(gold)}], "distractors": [other]}
            for j, (q, gold, other) in enumerate(qas)]}]})
    for a in data:  # every answer and distractor is in its note, as written
        for qa in a["paragraphs"][0]["qas"]:
            ctx = a["paragraphs"][0]["context"]
            assert qa["answers"][0]["answer_start"] >= 0 and qa["distractors"][0] in ctx, qa
    return {"version": "near-miss-1", "data": data}


def cross(notes: list, questions: list, lang: str) -> dict:
    """The notes asked in the other language: every accepted form of the fact counts, the note's first."""
    data = []
    for i, ((title, text, _), qas) in enumerate(zip(notes, questions, strict=True)):
        for q, golds, others in qas:
            assert golds[0] in text and others[0] in text, (q, golds[0])
        data.append({"title": title, "paragraphs": [{"context": text, "qas": [
            {"id": f"cross-{lang}-{i:02d}-{j}", "question": q,
             "answers": [{"text": g, "answer_start": text.find(g)} for g in golds], "distractors": others}
            for j, (q, golds, others) in enumerate(qas)]}]})
    return {"version": "near-miss-cross-1", "data": data}


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    for lang, notes in (("en", EN), ("ko", KO)):
        text = json.dumps(squad(notes, lang), ensure_ascii=False, indent=1)
        (out / f"near_miss_{lang}.json").write_text(text + "\n", "utf-8")
    for name, notes, questions in (("en_over_ko", KO, EN_QUESTIONS_FOR_KO), ("ko_over_en", EN, KO_QUESTIONS_FOR_EN)):
        text = json.dumps(cross(notes, questions, name), ensure_ascii=False, indent=1)
        (out / f"cross_{name}.json").write_text(text + "\n", "utf-8")
