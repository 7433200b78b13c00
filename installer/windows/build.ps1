# Windows build: the PyInstaller one-folder application, then the Inno Setup installer (installer/windows/onewindow.iss).
# Run from the repository (installer/build calls it under Git Bash); needs Python 3.11+ with the project installed
# (py -m pip install -e .) and Inno Setup 6.3 or later (iscc.exe on PATH or in its default folder).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$py = if ($env:PYTHON) { $env:PYTHON } elseif (Test-Path ".venv\Scripts\python.exe") { ".venv\Scripts\python.exe" } else { "py" }
$out = if ($env:OUT) { $env:OUT } else { "dist" }

& $py -c "import PyInstaller" 2>$null
if ($LASTEXITCODE -ne 0) { & $py -m pip install -q "pyinstaller>=6.0" }
& $py -c "from desktop.common import i18n; i18n.ensure_compiled()"
& $py -m PyInstaller --noconfirm --log-level WARN --distpath $out --workpath build\pyinstaller installer\onewindow.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
$version = & $py -c "import onewindow; print(onewindow.__version__)"

$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $iscc)) { throw "Inno Setup 6 (ISCC.exe) not found: install it from https://jrsoftware.org/isinfo.php" }
& $iscc "/DAppVersion=$version" "/DSourceDir=$((Resolve-Path "$out\onewindow").Path)" "/O$out" installer\windows\onewindow.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "installer/build: $out\OneWindow-$version-setup.exe"
