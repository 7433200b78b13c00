; Inno Setup 6 script (6.3 or later: x64compatible): a per-machine install of the PyInstaller folder, Start menu entries for the three shells,
; an optional kiosk start at log-on, and an uninstall that leaves every terminal's data alone (the store, keys,
; settings and logs live in each user's %LOCALAPPDATA%\onewindow, which this installer never touches).
; Built by installer/windows/build.ps1: iscc /DAppVersion=0.1.0 /DSourceDir=...\dist\onewindow onewindow.iss

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\onewindow"
#endif

[Setup]
AppId={{6B1F0C52-3E0B-4C39-9E8E-0D1E5A2B7C41}
AppName=OneWindow 一窗通
AppVersion={#AppVersion}
AppPublisher=OneWindow
DefaultDirName={autopf}\OneWindow
DefaultGroupName=一窗通 OneWindow
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=OneWindow-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
UninstallDisplayIcon={app}\onewindow.exe
WizardStyle=modern

[Languages]
; Inno Setup ships no Chinese translation: its English messages with ours over them (OneWindow-zh_CN.isl)
Name: "chinesesimplified"; MessagesFile: "compiler:Default.isl,OneWindow-zh_CN.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "kioskautostart"; Description: "自助机：开机登录后自动启动 · Start the kiosk at log-on"; Flags: unchecked
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\一窗通 药房 Pharmacy"; Filename: "{app}\onewindow.exe"; Parameters: "gui --shell pharmacy"
Name: "{group}\一窗通 综合窗口 Counter"; Filename: "{app}\onewindow.exe"; Parameters: "gui --shell counter"
Name: "{group}\一窗通 自助机 Kiosk"; Filename: "{app}\onewindow.exe"; Parameters: "gui --shell kiosk"
Name: "{group}\一窗通 自检 Selftest"; Filename: "{cmd}"; Parameters: "/k ""{app}\onewindow.exe"" selftest"
Name: "{group}\{cm:UninstallProgram,OneWindow}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\一窗通 OneWindow"; Filename: "{app}\onewindow.exe"; Parameters: "gui --shell pharmacy"; Tasks: desktopicon
; every user who logs on to the kiosk PC gets the kiosk (the watchdog restarts it after a crash)
Name: "{commonstartup}\一窗通 自助机 Kiosk"; Filename: "{app}\onewindow.exe"; Parameters: "gui --shell kiosk"; Tasks: kioskautostart

[Run]
Filename: "{app}\onewindow.exe"; Parameters: "selftest"; Flags: runhidden nowait skipifsilent

; No [UninstallDelete]: the program folder goes, the data (%LOCALAPPDATA%\onewindow: store, data key, settings,
; receipts, logs) stays, so a reinstall or an upgrade finds every sale and setting where it was.
