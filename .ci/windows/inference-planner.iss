; Inno Setup 6 script for the Windows installer. The GitHub Actions workflow
; (.github/workflows/installers.yml) runs it after PyInstaller has built dist\inference-planner:
;   iscc /DAppVersion=X.Y.Z .ci\windows\inference-planner.iss
; Paths are relative to this file. It installs per user by default (no administrator needed)
; and offers an all-users install in its first dialog.
#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z (the workflow reads planner_core.__version__)
#endif
#define AppName "Inference Planner"
#define AppExe "inference-planner.exe"

[Setup]
; The id ties upgrades and the uninstaller to this app: never change it.
AppId={{9C7A4F2E-6B1D-4E8A-9F3C-2D5B7E1A8C40}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Inference Planner developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=inference-planner-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\build\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole PyInstaller folder: inference-planner.exe (the window), inference-planner-cli.exe
; (the same program with a console, for the command line) and _internal.
Source: "..\..\dist\inference-planner\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the bundle whole, so no library of an older version lingers beside it.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Plan AI-inference data centers"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
