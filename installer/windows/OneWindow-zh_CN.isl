; 一窗通 OneWindow: the installer's wizard in Simplified Chinese, our own wording of the messages a clerk sees while
; installing and uninstalling. Inno Setup ships no Chinese messages file, so onewindow.iss reads Default.isl first
; and this file over it ("compiler:Default.isl,OneWindow-zh_CN.isl"): a message not listed here stays English.

[LangOptions]
LanguageName=简体中文
LanguageID=$0804
LanguageCodePage=936
DialogFontName=Microsoft YaHei UI
DialogFontSize=9
WelcomeFontName=Microsoft YaHei UI
WelcomeFontSize=12

[Messages]
SetupAppTitle=安装
SetupWindowTitle=安装 - %1
UninstallAppTitle=卸载
UninstallAppFullTitle=卸载 %1
WindowsVersionNotSupported=本程序不支持这台电脑的 Windows 版本。
OnlyOnTheseArchitectures=本程序只能安装在以下处理器架构的 Windows 上：%n%n%1
AdminPrivilegesRequired=请用管理员账户登录后再安装本程序。
ExitSetupTitle=退出安装
ExitSetupMessage=安装还没有完成。现在退出，程序将不会被安装。%n%n以后可以再次运行安装程序完成安装。%n%n确定退出安装吗？
ButtonBack=< 上一步(&B)
ButtonNext=下一步(&N) >
ButtonInstall=安装(&I)
ButtonOK=确定
ButtonCancel=取消
ButtonYes=是(&Y)
ButtonNo=否(&N)
ButtonFinish=完成(&F)
ButtonBrowse=浏览(&B)...
ButtonWizardBrowse=浏览(&R)...
ButtonNewFolder=新建文件夹(&M)
SelectLanguageTitle=选择安装语言
SelectLanguageLabel=请选择安装过程中使用的语言。
WelcomeLabel1=欢迎使用 [name] 安装向导
WelcomeLabel2=本向导将在这台电脑上安装 [name/ver]。%n%n继续之前，建议先关闭其他所有程序。
WizardSelectDir=选择安装位置
SelectDirDesc=[name] 要安装在哪里？
SelectDirLabel3=安装程序将把 [name] 安装到下面的文件夹。
SelectDirBrowseLabel=点击“下一步”继续。如需选择其他文件夹，请点击“浏览”。
DiskSpaceMBLabel=至少需要 [mb] MB 可用磁盘空间。
DirExistsTitle=文件夹已存在
DirExists=文件夹：%n%n%1%n%n已经存在。仍然安装到这个文件夹吗？
DirDoesntExistTitle=文件夹不存在
DirDoesntExist=文件夹：%n%n%1%n%n不存在。要创建这个文件夹吗？
WizardSelectTasks=选择附加任务
SelectTasksDesc=还要执行哪些附加任务？
SelectTasksLabel2=请选择安装 [name] 时要执行的附加任务，然后点击“下一步”。
WizardSelectProgramGroup=选择开始菜单文件夹
SelectStartMenuFolderDesc=程序的快捷方式放在哪里？
SelectStartMenuFolderLabel3=安装程序将在下面的开始菜单文件夹中创建快捷方式。
SelectStartMenuFolderBrowseLabel=点击“下一步”继续。如需选择其他文件夹，请点击“浏览”。
WizardReady=准备安装
ReadyLabel1=已准备好在这台电脑上安装 [name]。
ReadyLabel2a=点击“安装”开始安装；如需查看或修改设置，请点击“上一步”。
ReadyLabel2b=点击“安装”开始安装。
ReadyMemoDir=安装位置：
ReadyMemoGroup=开始菜单文件夹：
ReadyMemoTasks=附加任务：
WizardPreparing=正在准备安装
PreparingDesc=正在准备在这台电脑上安装 [name]。
WizardInstalling=正在安装
InstallingLabel=正在安装 [name]，请稍候。
FinishedHeadingLabel=[name] 安装完成
FinishedLabelNoIcons=[name] 已安装到这台电脑。
FinishedLabel=[name] 已安装到这台电脑。可以通过已创建的快捷方式启动。
ClickFinish=点击“完成”退出安装程序。
RunEntryExec=运行 %1
StatusExtractFiles=正在复制文件...
StatusCreateIcons=正在创建快捷方式...
StatusRunProgram=正在完成安装...
ConfirmUninstall=确定要卸载 %1 吗？%n%n各终端的数据（本地数据库、密钥、设置、票据和日志）会保留。
UninstallStatusLabel=正在从这台电脑卸载 %1，请稍候。
UninstalledAll=%1 已卸载。
UninstalledMost=%1 卸载完成。%n%n有些项目无法删除，可以手动删除。
StatusUninstalling=正在卸载 %1...

[CustomMessages]
NameAndVersion=%1 版本 %2
AdditionalIcons=附加快捷方式：
CreateDesktopIcon=创建桌面快捷方式(&D)
UninstallProgram=卸载 %1
LaunchProgram=运行 %1
