; Inno Setup 6 script for the Windows installer (written for the release workflow; not run here: no Windows).
;   pyinstaller --noconfirm --distpath build\bundle --workpath build\pyinstaller packaging\mysearch.spec
;   iscc /DVersion=0.1.0 packaging\windows\mysearch.iss      -> dist\mysearch-0.1.0-windows-x64-setup.exe
; Per-user install by default (no admin prompt); the library lives in %LOCALAPPDATA%\mysearch and is
; kept on upgrade and uninstall (only {app} is removed).
#ifndef Version
  #define Version "0.1.0"
#endif

[Setup]
AppId={{6B1F3A52-6E0C-4C55-9E2B-2F2F8B0D3E11}
AppName=mysearch
AppVersion={#Version}
AppPublisher=mysearch developers
DefaultDirName={autopf}\mysearch
DefaultGroupName=mysearch
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=mysearch-{#Version}-windows-x64-setup
SetupIconFile=..\..\build\mysearch.ico
UninstallDisplayIcon={app}\mysearch.exe
; the 1.1 GB model does not compress: fast settings keep CI short
Compression=lzma2/fast
SolidCompression=no
DiskSpanning=no
WizardStyle=modern
ChangesEnvironment=yes

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "ko"; MessagesFile: "compiler:Languages\Korean.isl"

[CustomMessages]
en.Comment=Search your files by meaning and keyword, and get answers from them
ko.Comment=내 파일을 뜻과 낱말로 찾고, 파일에서 답을 얻습니다
en.AddToPath=Add mysearch to PATH (the command line)
ko.AddToPath=명령줄에서 쓰도록 PATH에 mysearch 추가

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "{cm:AddToPath}"; Flags: unchecked

[Files]
Source: "..\..\build\bundle\mysearch\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\mysearch"; Filename: "{app}\mysearch.exe"; Parameters: "app"; Comment: "{cm:Comment}"
Name: "{autodesktop}\mysearch"; Filename: "{app}\mysearch.exe"; Parameters: "app"; Comment: "{cm:Comment}"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\mysearch.exe"; Parameters: "app"; Description: "{cm:LaunchProgram,mysearch}"; Flags: nowait postinstall skipifsilent

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Path: string;
begin
  if not RegQueryStringValue(HKCU, 'Environment', 'Path', Path) then
    Result := True
  else
    Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';') = 0;
end;
