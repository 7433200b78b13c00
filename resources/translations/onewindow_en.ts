<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>DoneScreen</name>
    <message>
        <source>下一位顾客 (Enter)</source>
        <translation>Next patient (Enter)</translation>
    </message>
    <message>
        <source>重打小票 (Ctrl+P，需主管)</source>
        <translation>Reprint receipt (Ctrl+P, supervisor)</translation>
    </message>
    <message>
        <source>第五步：小票</source>
        <translation>Step 5: receipt</translation>
    </message>
    <message>
        <source>小票 PDF：</source>
        <translation>Receipt PDF: </translation>
    </message>
</context>
<context>
    <name>DrugSearchDialog</name>
    <message>
        <source>查药品 (Ctrl+F)</source>
        <translation>Find a drug (Ctrl+F)</translation>
    </message>
    <message>
        <source>拼音首字母、药名、国家编码，或扫商品条码</source>
        <translation>Pinyin initials, drug name, national code, or scan the barcode</translation>
    </message>
    <message>
        <source> 天</source>
        <translation> days</translation>
    </message>
    <message>
        <source>药品 / 编码</source>
        <translation>Drug / code</translation>
    </message>
    <message>
        <source>规格</source>
        <translation>Strength</translation>
    </message>
    <message>
        <source>单价</source>
        <translation>Price</translation>
    </message>
    <message>
        <source>医保类别</source>
        <translation>Insurance class</translation>
    </message>
    <message>
        <source>限定支付范围</source>
        <translation>Payment restriction</translation>
    </message>
    <message>
        <source>追溯码</source>
        <translation>Codes</translation>
    </message>
    <message>
        <source>输入即查 · ↑↓ 选择 · Enter 加入本单（数量 1） · Tab 改天数 · Esc 关闭</source>
        <translation>Results as you type · ↑↓ choose · Enter adds it to the sale (qty 1) · Tab days · Esc close</translation>
    </message>
    <message>
        <source>用药天数</source>
        <translation>Days</translation>
    </message>
    <message>
        <source>输入拼音首字母（如 bhsald）、药名、编码或条码</source>
        <translation>Type pinyin initials (e.g. bhsald), a name, a code or a barcode</translation>
    </message>
    <message>
        <source>需扫码</source>
        <translation>Scan each box</translation>
    </message>
    <message>
        <source>不需要</source>
        <translation>Not needed</translation>
    </message>
    <message>
        <source>找到 {0} 种；↑↓ 选择，Enter 加入本单</source>
        <translation>{0} found; ↑↓ choose, Enter adds it to the sale</translation>
    </message>
</context>
<context>
    <name>IdentifyScreen</name>
    <message>
        <source>扫描医保电子凭证，或读/输入身份证号、社保卡号，回车</source>
        <translation>Scan the e-voucher, or read/type the ID or social security card number, Enter</translation>
    </message>
    <message>
        <source>F2 新顾客 · F3 退货 · F4 班次 · F9 取回挂单 · F10 设置 · Ctrl+L 退出登录</source>
        <translation>F2 new patient · F3 returns · F4 shift · F9 recall a held sale · F10 settings · Ctrl+L log out</translation>
    </message>
    <message>
        <source>第一步：识别参保人</source>
        <translation>Step 1: identify the patient</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>登录 · 一窗通药房</source>
        <translation>Log in · OneWindow Pharmacy</translation>
    </message>
    <message>
        <source>请登录（用户名 + 密码，或用户名 + PIN）</source>
        <translation>Log in (user + password, or user + PIN)</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User</translation>
    </message>
    <message>
        <source>密码或 PIN</source>
        <translation>Password or PIN</translation>
    </message>
    <message>
        <source>使用 PIN 登录</source>
        <translation>Log in with PIN</translation>
    </message>
    <message>
        <source>登录 (Enter)</source>
        <translation>Log in (Enter)</translation>
    </message>
    <message>
        <source>取消 (Esc)</source>
        <translation>Cancel (Esc)</translation>
    </message>
    <message>
        <source>密码/PIN</source>
        <translation>Password/PIN</translation>
    </message>
    <message>
        <source>请输入用户名和密码/PIN</source>
        <translation>Type the user and the password/PIN</translation>
    </message>
    <message>
        <source>正在验证…</source>
        <translation>Checking…</translation>
    </message>
</context>
<context>
    <name>PaperFlow</name>
    <message>
        <source>选择处方图片</source>
        <translation>Choose the prescription photo</translation>
    </message>
    <message>
        <source>图片 (*.jpg *.jpeg *.png)</source>
        <translation>Images (*.jpg *.jpeg *.png)</translation>
    </message>
    <message>
        <source>无法读取图片：</source>
        <translation>Cannot read the image: </translation>
    </message>
    <message>
        <source>没有可用的摄像头（F10 设置 → 设备 → 摄像头）；扫描仪或手机的图片请按 Ctrl+O 选择文件</source>
        <translation>No camera available (F10 settings → devices → camera); for a scanner's or a phone's picture press Ctrl+O to choose the file</translation>
    </message>
    <message>
        <source>摄像头拍照</source>
        <translation>camera photo</translation>
    </message>
    <message>
        <source>正在开单…</source>
        <translation>Opening the sale…</translation>
    </message>
</context>
<context>
    <name>PaperScreen</name>
    <message>
        <source>医师姓名</source>
        <translation>Doctor's name</translation>
    </message>
    <message>
        <source>开方医疗机构</source>
        <translation>Prescribing institution</translation>
    </message>
    <message>
        <source> 天</source>
        <translation> days</translation>
    </message>
    <message>
        <source>诊断编码，如 I10.x00</source>
        <translation>Diagnosis code, e.g. I10.x00</translation>
    </message>
    <message>
        <source>诊断名称</source>
        <translation>Diagnosis name</translation>
    </message>
    <message>
        <source>长期处方（医师已评估）</source>
        <translation>Long prescription (assessed by the doctor)</translation>
    </message>
    <message>
        <source>药品</source>
        <translation>Drug</translation>
    </message>
    <message>
        <source>单次剂量</source>
        <translation>Dose</translation>
    </message>
    <message>
        <source>频次</source>
        <translation>Frequency</translation>
    </message>
    <message>
        <source>用法</source>
        <translation>Way</translation>
    </message>
    <message>
        <source>数量（盒）</source>
        <translation>Boxes</translation>
    </message>
    <message>
        <source>天数</source>
        <translation>Days</translation>
    </message>
    <message>
        <source>有效期</source>
        <translation>Valid for</translation>
    </message>
    <message>
        <source>开方医师</source>
        <translation>Prescriber</translation>
    </message>
    <message>
        <source>开方机构</source>
        <translation>Prescriber</translation>
    </message>
    <message>
        <source>开方日期</source>
        <translation>written on</translation>
    </message>
    <message>
        <source>临床诊断</source>
        <translation>Diagnosis</translation>
    </message>
    <message>
        <source>处方图片</source>
        <translation>Prescription photo</translation>
    </message>
    <message>
        <source>纸质处方录入</source>
        <translation>Paper prescription entry</translation>
    </message>
    <message>
        <source>药品（Ctrl+F 按拼音查药品加入，Ctrl+Del 删除所选行）</source>
        <translation>Drugs (Ctrl+F finds a drug by pinyin and adds it, Ctrl+Del deletes the selected line)</translation>
    </message>
    <message>
        <source>未附图片（F9 拍照，Ctrl+O 选择扫描或拍照的文件）</source>
        <translation>No picture attached (F9 photograph it, Ctrl+O choose a scanned or photographed file)</translation>
    </message>
</context>
<context>
    <name>PatientCardWidget</name>
    <message>
        <source>待遇</source>
        <translation>Scheme</translation>
    </message>
    <message>
        <source>病种</source>
        <translation>Disease</translation>
    </message>
    <message>
        <source>开始</source>
        <translation>Begins</translation>
    </message>
    <message>
        <source>到期</source>
        <translation>Ends</translation>
    </message>
    <message>
        <source>期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>限额</source>
        <translation>Cap</translation>
    </message>
    <message>
        <source>已用</source>
        <translation>Used</translation>
    </message>
    <message>
        <source>剩余</source>
        <translation>Left</translation>
    </message>
    <message>
        <source>药品</source>
        <translation>Drug</translation>
    </message>
    <message>
        <source>上次取药</source>
        <translation>Last dispensed</translation>
    </message>
    <message>
        <source>用药至</source>
        <translation>Supply until</translation>
    </message>
    <message>
        <source>可再取药</source>
        <translation>Next allowed</translation>
    </message>
    <message>
        <source>备案（登记）</source>
        <translation>Registrations</translation>
    </message>
    <message>
        <source>本期额度</source>
        <translation>Quota this period</translation>
    </message>
    <message>
        <source>下次取药日期</source>
        <translation>Next refill dates</translation>
    </message>
    <message>
        <source>两病</source>
        <translation>Hypertension/diabetes (两病)</translation>
    </message>
    <message>
        <source>门诊慢特病</source>
        <translation>Chronic &amp; special disease (慢特病)</translation>
    </message>
    <message>
        <source>职工基本医疗保险</source>
        <translation>Employee basic medical insurance</translation>
    </message>
    <message>
        <source>城乡居民基本医疗保险</source>
        <translation>Resident basic medical insurance</translation>
    </message>
    <message>
        <source>参保正常</source>
        <translation>Insured, active</translation>
    </message>
    <message>
        <source>参保状态异常</source>
        <translation>Insurance status not active</translation>
    </message>
    <message>
        <source>个人账户余额</source>
        <translation>Personal account balance</translation>
    </message>
    <message>
        <source>在线</source>
        <translation>online</translation>
    </message>
    <message>
        <source>离线缓存</source>
        <translation>offline cache</translation>
    </message>
    <message>
        <source>长期</source>
        <translation>open-ended</translation>
    </message>
</context>
<context>
    <name>PayScreen</name>
    <message>
        <source>确认收款并结算 (Enter)</source>
        <translation>Take payment and settle (Enter)</translation>
    </message>
    <message>
        <source>个人账户支付 (F8 全额)</source>
        <translation>From personal account (F8: all it can)</translation>
    </message>
    <message>
        <source>账户余额 支付前→支付后</source>
        <translation>Account balance before → after</translation>
    </message>
    <message>
        <source>共济账户 (F6)</source>
        <translation>Family account (F6)</translation>
    </message>
    <message>
        <source>合计应收</source>
        <translation>Total to collect</translation>
    </message>
    <message>
        <source>应收现金</source>
        <translation>Cash due</translation>
    </message>
    <message>
        <source>实收现金</source>
        <translation>Cash given</translation>
    </message>
    <message>
        <source>找零</source>
        <translation>Change</translation>
    </message>
    <message>
        <source>第四步：收款</source>
        <translation>Step 4: payment</translation>
    </message>
    <message>
        <source>Tab 切换 · F7 其他付款（凭证号后 Enter 加入，可多笔） · Enter 确认 · Esc 返回扫码</source>
        <translation>Tab next field · F7 other tender (Enter after the slip no. adds it; several allowed) · Enter confirm · Esc back to scanning</translation>
    </message>
    <message>
        <source>医疗费总额</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>统筹基金支付</source>
        <translation>Fund share</translation>
    </message>
    <message>
        <source>个人负担</source>
        <translation>Personal share</translation>
    </message>
    <message>
        <source>个人账户余额</source>
        <translation>Personal account balance</translation>
    </message>
    <message>
        <source>个人账户</source>
        <translation>personal account</translation>
    </message>
    <message>
        <source>共济</source>
        <translation>family account</translation>
    </message>
    <message>
        <source>其他付款</source>
        <translation>Other tender</translation>
    </message>
    <message>
        <source>无个人账户余额，请收取现金</source>
        <translation>No personal-account balance: take cash</translation>
    </message>
    <message>
        <source>该参保人无家庭共济绑定，请收取现金</source>
        <translation>No family-sharing binding for this person: take cash</translation>
    </message>
    <message>
        <source>金额格式不正确</source>
        <translation>Not an amount</translation>
    </message>
</context>
<context>
    <name>PharmacyWindow</name>
    <message>
        <source>一窗通 · 药房</source>
        <translation>OneWindow · Pharmacy</translation>
    </message>
    <message>
        <source>快捷键</source>
        <translation>Keys</translation>
    </message>
    <message>
        <source>新顾客</source>
        <translation>Next customer</translation>
    </message>
    <message>
        <source>退货</source>
        <translation>Returns</translation>
    </message>
    <message>
        <source>刷新状态</source>
        <translation>Refresh status</translation>
    </message>
    <message>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>退出登录</source>
        <translation>Log out</translation>
    </message>
    <message>
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>参保人信息</source>
        <translation>Patient card</translation>
    </message>
    <message>
        <source>审方/核对</source>
        <translation>Review / check</translation>
    </message>
    <message>
        <source>重打小票</source>
        <translation>Reprint receipt</translation>
    </message>
    <message>
        <source>重试打印</source>
        <translation>Retry printing</translation>
    </message>
    <message>
        <source>取回挂单</source>
        <translation>Recall held sale</translation>
    </message>
    <message>
        <source>开钱箱（主管）</source>
        <translation>Open drawer (supervisor)</translation>
    </message>
    <message>
        <source>数量（先输数字）</source>
        <translation>Quantity (number first)</translation>
    </message>
    <message>
        <source>折扣（先输金额，主管）</source>
        <translation>Discount (amount first, supervisor)</translation>
    </message>
    <message>
        <source>纸质处方</source>
        <translation>Paper prescription</translation>
    </message>
    <message>
        <source>普通购药</source>
        <translation>Ordinary purchase</translation>
    </message>
    <message>
        <source>重复上次购药</source>
        <translation>Repeat last sale</translation>
    </message>
    <message>
        <source>开单</source>
        <translation>Open the sale</translation>
    </message>
    <message>
        <source>查药品</source>
        <translation>Find drug</translation>
    </message>
    <message>
        <source>拍照</source>
        <translation>Photograph</translation>
    </message>
    <message>
        <source>处方图片</source>
        <translation>Prescription photo</translation>
    </message>
    <message>
        <source>删除药品行</source>
        <translation>Delete the drug line</translation>
    </message>
    <message>
        <source>拆零</source>
        <translation>split</translation>
    </message>
    <message>
        <source>无码库</source>
        <translation>Uncoded stock</translation>
    </message>
    <message>
        <source>挂单</source>
        <translation>Hold sale</translation>
    </message>
    <message>
        <source>结算</source>
        <translation>Settle</translation>
    </message>
    <message>
        <source>删除码</source>
        <translation>Remove code</translation>
    </message>
    <message>
        <source>确认收款</source>
        <translation>Confirm payment</translation>
    </message>
    <message>
        <source>个人账户全额</source>
        <translation>Pay from account</translation>
    </message>
    <message>
        <source>共济账户</source>
        <translation>Family account</translation>
    </message>
    <message>
        <source>其他付款</source>
        <translation>Other tender</translation>
    </message>
    <message>
        <source>退货（再按 F12 确认）</source>
        <translation>Return (F12 again to confirm)</translation>
    </message>
    <message>
        <source>全选</source>
        <translation>Tick all</translation>
    </message>
    <message>
        <source>X 报表</source>
        <translation>X report</translation>
    </message>
    <message>
        <source>未登录</source>
        <translation>Not logged in</translation>
    </message>
    <message>
        <source>班次</source>
        <translation>Shift</translation>
    </message>
    <message>
        <source>未开班</source>
        <translation>No shift</translation>
    </message>
    <message>
        <source>营业员</source>
        <translation>clerk</translation>
    </message>
    <message>
        <source>药师</source>
        <translation>pharmacist</translation>
    </message>
    <message>
        <source>主管</source>
        <translation>supervisor</translation>
    </message>
    <message>
        <source>管理员</source>
        <translation>administrator</translation>
    </message>
    <message>
        <source>管理员授权</source>
        <translation>Administrator approval</translation>
    </message>
    <message>
        <source>需要管理员授权：请管理员输入用户名和 PIN/密码</source>
        <translation>An administrator must approve: administrator user name and PIN/password</translation>
    </message>
    <message>
        <source>需要主管授权：请主管输入用户名和 PIN/密码</source>
        <translation>A supervisor must approve: supervisor's user and PIN/password</translation>
    </message>
    <message>
        <source>主管授权</source>
        <translation>Supervisor approval</translation>
    </message>
</context>
<context>
    <name>PhotoCaptureDialog</name>
    <message>
        <source>拍摄纸质处方</source>
        <translation>Photograph the paper prescription</translation>
    </message>
    <message>
        <source>把处方平放在摄像头下，空格或回车拍照，Esc 取消</source>
        <translation>Lay the prescription flat under the camera; Space or Enter takes the picture, Esc cancels</translation>
    </message>
    <message>
        <source>摄像头还没有画面，请稍候再拍</source>
        <translation>The camera shows no picture yet; wait a moment and take it again</translation>
    </message>
    <message>
        <source>回车使用这张照片，Backspace 重拍，Esc 取消</source>
        <translation>Enter uses this picture, Backspace takes another, Esc cancels</translation>
    </message>
</context>
<context>
    <name>PrintFlow</name>
    <message>
        <source>未配置钱箱（设置：打印机 · 钱箱）</source>
        <translation>No cash drawer configured (settings: printer · drawer)</translation>
    </message>
    <message>
        <source>已发送开钱箱指令</source>
        <translation>Drawer opened (command sent)</translation>
    </message>
    <message>
        <source>钱箱未能打开：{0}。结算不受影响，请用钥匙开箱</source>
        <translation>Cash drawer did not open: {0}. The sale stands; open the drawer with its key</translation>
    </message>
    <message>
        <source>小票打印机设置有误，小票只保存为 PDF：{0}</source>
        <translation>The receipt printer settings cannot be used; the receipt is saved as a PDF only: {0}</translation>
    </message>
    <message>
        <source>未配置小票打印机：小票已保存为 PDF</source>
        <translation>No receipt printer configured: the receipt is saved as a PDF</translation>
    </message>
    <message>
        <source>（可能已打出一部分，重打的小票标为副本）</source>
        <translation> (part of it may have printed; the reprint is marked as a copy)</translation>
    </message>
    <message>
        <source>小票打印失败：{0}{1}。结算不受影响，小票已保存为 PDF；打印任务留在队列中，排除故障（缺纸、断线）后按 Ctrl+R 重新打印。</source>
        <translation>Receipt printer failed: {0}{1}. The settlement stands and the receipt is saved as a PDF; the print job stays in the queue: fix the printer (paper, cable) and press Ctrl+R to print it.</translation>
    </message>
    <message>
        <source>正在打印小票…</source>
        <translation>Printing the receipt…</translation>
    </message>
    <message>
        <source>小票已打印</source>
        <translation>Receipt printed</translation>
    </message>
    <message>
        <source>已重打（副本）</source>
        <translation>Reprinted (copy)</translation>
    </message>
</context>
<context>
    <name>QuickFlow</name>
    <message>
        <source>数量 ×{0}：请扫描下一件非医保商品</source>
        <translation>Quantity ×{0}: scan the next non-insured good</translation>
    </message>
    <message>
        <source>请先选中一行，再输入数量</source>
        <translation>Select a line first, then type the quantity</translation>
    </message>
    <message>
        <source>第 {0} 行数量改为 {1}</source>
        <translation>Line {0}: quantity now {1}</translation>
    </message>
    <message>
        <source>已折扣 {0} 元</source>
        <translation>Discount of {0} yuan given</translation>
    </message>
    <message>
        <source>；{0} 件非医保商品在结算时列出</source>
        <translation>; {0} non-insured goods are listed at the pay step</translation>
    </message>
    <message>
        <source>已载入上次购药（{0} 行）：医保药品须重新逐盒扫描追溯码{1}</source>
        <translation>Last sale loaded ({0} lines): scan every box's trace code again for the insured drugs{1}</translation>
    </message>
</context>
<context>
    <name>ReturnScreen</name>
    <message>
        <source>输入小票号，或扫描所退药盒的追溯码，回车</source>
        <translation>Type the receipt number, or scan a returned box's code, Enter</translation>
    </message>
    <message>
        <source>退货 (F12)</source>
        <translation>Return (F12)</translation>
    </message>
    <message>
        <source>空格 勾选/取消 · Ctrl+A 全选 · F12 退货（再按 F12 确认） · Esc 取消/返回</source>
        <translation>Space tick/untick · Ctrl+A tick all · F12 return (F12 again to confirm) · Esc cancel/back</translation>
    </message>
    <message>
        <source>退货</source>
        <translation>Returns</translation>
    </message>
    <message>
        <source>已结算</source>
        <translation>settled</translation>
    </message>
    <message>
        <source>已退货</source>
        <translation>returned</translation>
    </message>
    <message>
        <source>退货单</source>
        <translation>return slip</translation>
    </message>
    <message>
        <source>小票</source>
        <translation>Receipt</translation>
    </message>
    <message>
        <source>合计</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>统筹</source>
        <translation>Fund</translation>
    </message>
    <message>
        <source>无码库</source>
        <translation>Uncoded stock</translation>
    </message>
    <message>
        <source>（已退）</source>
        <translation> (returned)</translation>
    </message>
    <message>
        <source>商品</source>
        <translation>Goods</translation>
    </message>
    <message>
        <source>确认退货 (F12)</source>
        <translation>Confirm return (F12)</translation>
    </message>
</context>
<context>
    <name>ReturnsFlow</name>
    <message>
        <source>正在查找…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <source>正在退货…</source>
        <translation>Returning…</translation>
    </message>
</context>
<context>
    <name>RxScreen</name>
    <message>
        <source>或输入取药码，回车</source>
        <translation>or type the pickup code, Enter</translation>
    </message>
    <message>
        <source>第二步：选择处方</source>
        <translation>Step 2: choose the prescription</translation>
    </message>
    <message>
        <source>待取电子处方（↑↓ 选择，回车下载）</source>
        <translation>E-prescriptions waiting (↑↓ choose, Enter download)</translation>
    </message>
    <message>
        <source>开方机构</source>
        <translation>Prescriber</translation>
    </message>
    <message>
        <source>有效至</source>
        <translation>valid until</translation>
    </message>
    <message>
        <source>取药码</source>
        <translation>Pickup code</translation>
    </message>
    <message>
        <source>医师</source>
        <translation>doctor</translation>
    </message>
    <message>
        <source>开方日期</source>
        <translation>written on</translation>
    </message>
    <message>
        <source>（离线缓存）</source>
        <translation> (offline cache)</translation>
    </message>
</context>
<context>
    <name>SaleFlow</name>
    <message>
        <source>正在识别…</source>
        <translation>Identifying…</translation>
    </message>
    <message>
        <source>正在查询电子处方…</source>
        <translation>Looking for e-prescriptions…</translation>
    </message>
    <message>
        <source>中心无法连接：以下处方来自离线缓存，结算为离线暂存</source>
        <translation>The centre cannot be reached: these prescriptions come from the offline cache; the sale will be provisional</translation>
    </message>
    <message>
        <source>正在下载处方…</source>
        <translation>Downloading the prescription…</translation>
    </message>
    <message>
        <source>该药品在无码库中没有库存</source>
        <translation>No uncoded stock of this drug</translation>
    </message>
    <message>
        <source>正在结算…</source>
        <translation>Settling…</translation>
    </message>
    <message>
        <source>已加入非医保商品：</source>
        <translation>Non-insured good added: </translation>
    </message>
    <message>
        <source>离线暂存 {3}（待中心确认）：统筹 {0}，个人 {1}，找零 {2}</source>
        <translation>Held offline as {3} (to be confirmed by the centre): fund {0}, personal {1}, change {2}</translation>
    </message>
    <message>
        <source>结算成功：统筹 {0}，个人 {1}，找零 {2}</source>
        <translation>Settled: fund {0}, personal {1}, change {2}</translation>
    </message>
    <message>
        <source>已挂单 {0}</source>
        <translation>Held as sale {0}</translation>
    </message>
</context>
<context>
    <name>SaleScreen</name>
    <message>
        <source>行</source>
        <translation>Line</translation>
    </message>
    <message>
        <source>药品</source>
        <translation>Drug</translation>
    </message>
    <message>
        <source>规格</source>
        <translation>Strength</translation>
    </message>
    <message>
        <source>数量</source>
        <translation>Qty</translation>
    </message>
    <message>
        <source>天数</source>
        <translation>Days</translation>
    </message>
    <message>
        <source>用法用量</source>
        <translation>Dose</translation>
    </message>
    <message>
        <source>追溯码</source>
        <translation>Codes</translation>
    </message>
    <message>
        <source>状态 / 原因</source>
        <translation>State / reason</translation>
    </message>
    <message>
        <source>扫描药盒追溯码（一盒一码）</source>
        <translation>Scan each box's traceability code (one code per box)</translation>
    </message>
    <message>
        <source>拆零数量 </source>
        <translation>Split units </translation>
    </message>
    <message>
        <source>结算 (F12)</source>
        <translation>Settle (F12)</translation>
    </message>
    <message>
        <source>Del 删除该行最后一个码 · Ctrl+F 查药品 · F6 拆零 · F8 无码库 · F9 挂单 · F12 结算 · Esc 返回</source>
        <translation>Del removes the line's last code · Ctrl+F find a drug · F6 split pack · F8 uncoded stock · F9 hold · F12 settle · Esc back</translation>
    </message>
    <message>
        <source>第三步：逐盒扫码</source>
        <translation>Step 3: scan every box</translation>
    </message>
    <message>
        <source>本行已扫：</source>
        <translation>Codes on this line:</translation>
    </message>
    <message>
        <source>两病</source>
        <translation>Hypertension/diabetes (两病)</translation>
    </message>
    <message>
        <source>门诊慢特病</source>
        <translation>Chronic &amp; special disease (慢特病)</translation>
    </message>
    <message>
        <source>处方</source>
        <translation>Prescription</translation>
    </message>
    <message>
        <source>合计</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>盒</source>
        <translation>box</translation>
    </message>
    <message>
        <source>拆零</source>
        <translation>split</translation>
    </message>
    <message>
        <source>无码库</source>
        <translation>Uncoded stock</translation>
    </message>
    <message>
        <source>审核拦截（见右侧）</source>
        <translation>Blocked by the audit (see right)</translation>
    </message>
    <message>
        <source>待扫码</source>
        <translation>Waiting for codes</translation>
    </message>
    <message>
        <source>批号</source>
        <translation>Batch</translation>
    </message>
    <message>
        <source>剩余</source>
        <translation>Left</translation>
    </message>
    <message>
        <source>购进</source>
        <translation>bought</translation>
    </message>
</context>
<context>
    <name>SearchFlow</name>
    <message>
        <source>本机没有药品目录，不能查询药品</source>
        <translation>This terminal has no drug catalogue: drug search is not available</translation>
    </message>
    <message>
        <source>正在载入药品目录…</source>
        <translation>Loading the drug catalogue…</translation>
    </message>
    <message>
        <source>已加入第 {0} 行：{1}，1{2}，{3} 天；请扫描药盒追溯码（Del 撤销该行）</source>
        <translation>Added as line {0}: {1}, 1 {2}, {3} days; scan the box's trace code (Del removes the line)</translation>
    </message>
    <message>
        <source>已加入第 {0} 行：{1}，1{2}，{3} 天（Del 撤销该行）</source>
        <translation>Added as line {0}: {1}, 1 {2}, {3} days (Del removes the line)</translation>
    </message>
    <message>
        <source>盒</source>
        <translation>box</translation>
    </message>
    <message>
        <source>已撤销第 {0} 行</source>
        <translation>Line {0} removed</translation>
    </message>
</context>
<context>
    <name>SettingsScreen</name>
    <message>
        <source>应用 (Enter)</source>
        <translation>Apply (Enter)</translation>
    </message>
    <message>
        <source>设备与全部设置…</source>
        <translation>Devices and all settings…</translation>
    </message>
    <message>
        <source>字号</source>
        <translation>Font size</translation>
    </message>
    <message>
        <source>语言 Language</source>
        <translation>Language 语言</translation>
    </message>
    <message>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
</context>
<context>
    <name>ShiftFlow</name>
    <message>
        <source>已开班</source>
        <translation>Shift opened</translation>
    </message>
    <message>
        <source>正在对账并关班…</source>
        <translation>Reconciling and closing the shift…</translation>
    </message>
</context>
<context>
    <name>ShiftScreen</name>
    <message>
        <source>备用金，如 200.00</source>
        <translation>Float, e.g. 200.00</translation>
    </message>
    <message>
        <source>开班 (Enter)</source>
        <translation>Open shift (Enter)</translation>
    </message>
    <message>
        <source>X 报表（F6，不关班）</source>
        <translation>X report (F6, shift stays open)</translation>
    </message>
    <message>
        <source>盲点：输入钱箱实点现金</source>
        <translation>Blind count: type the cash counted in the drawer</translation>
    </message>
    <message>
        <source>关班并出 Z 报表</source>
        <translation>Close shift and print Z report</translation>
    </message>
    <message>
        <source>开班</source>
        <translation>Open shift</translation>
    </message>
    <message>
        <source>关班（盲点现金）</source>
        <translation>Close shift (blind cash count)</translation>
    </message>
    <message>
        <source>班次</source>
        <translation>Shift</translation>
    </message>
    <message>
        <source>当前没有开班</source>
        <translation>No shift is open</translation>
    </message>
    <message>
        <source>当前班次</source>
        <translation>Current shift</translation>
    </message>
    <message>
        <source>开班人</source>
        <translation>opened by</translation>
    </message>
    <message>
        <source>备用金</source>
        <translation>Float</translation>
    </message>
    <message>
        <source>金额格式不正确</source>
        <translation>Not an amount</translation>
    </message>
    <message>
        <source>请输入实点现金</source>
        <translation>Type the cash counted</translation>
    </message>
</context>
<context>
    <name>TenderPanel</name>
    <message>
        <source>扫描非医保商品条码后回车</source>
        <translation>Scan a non-insured good's barcode, then Enter</translation>
    </message>
    <message>
        <source>仅现金</source>
        <translation>cash only</translation>
    </message>
    <message>
        <source>支付凭证号（输入或扫码）</source>
        <translation>Payment slip reference (type or scan)</translation>
    </message>
    <message>
        <source>加入 (Enter)</source>
        <translation>Add (Enter)</translation>
    </message>
    <message>
        <source>删除最后一笔</source>
        <translation>Remove the last one</translation>
    </message>
    <message>
        <source>非医保商品条码</source>
        <translation>Non-insured goods barcode</translation>
    </message>
    <message>
        <source>非医保商品</source>
        <translation>Non-insured goods</translation>
    </message>
    <message>
        <source>其他付款方式 (F7)</source>
        <translation>Other tender (F7)</translation>
    </message>
    <message>
        <source>已加入</source>
        <translation>Added</translation>
    </message>
    <message>
        <source>商品名称</source>
        <translation>Name of the good</translation>
    </message>
    <message>
        <source>价格</source>
        <translation>Price</translation>
    </message>
    <message>
        <source>新增商品（需主管）</source>
        <translation>Add the good (supervisor)</translation>
    </message>
</context>
<context>
    <name>TrailFlow</name>
    <message>
        <source>审方 → 调配 → 核对 → 发药 (Ctrl+T)</source>
        <translation>Review → dispense → check → hand out (Ctrl+T)</translation>
    </message>
</context>
<context>
    <name>TrailPanel</name>
    <message>
        <source>审方 → 调配 → 核对 → 发药</source>
        <translation>review → dispense → check → hand out</translation>
    </message>
    <message>
        <source>人员</source>
        <translation>who</translation>
    </message>
    <message>
        <source>执业药师证号</source>
        <translation>licence no.</translation>
    </message>
    <message>
        <source>时间</source>
        <translation>time</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>note</translation>
    </message>
    <message>
        <source>工号</source>
        <translation>user</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>核对：逐盒扫码</source>
        <translation>check: scan every box again</translation>
    </message>
    <message>
        <source>审核结果：</source>
        <translation>audit: </translation>
    </message>
    <message>
        <source>与{}同一人</source>
        <translation>same person as {}</translation>
    </message>
    <message>
        <source>确认</source>
        <translation>sign </translation>
    </message>
    <message>
        <source>已完成</source>
        <translation>done</translation>
    </message>
    <message>
        <source>已核对 </source>
        <translation>checked </translation>
    </message>
    <message>
        <source>已记录</source>
        <translation>recorded</translation>
    </message>
    <message>
        <source>核对无误</source>
        <translation>box checked</translation>
    </message>
    <message>
        <source>此码不是本单的药盒</source>
        <translation>this code is not a box of this sale</translation>
    </message>
</context>
<context>
    <name>VerdictPanel</name>
    <message>
        <source>医疗费总额</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>统筹基金支付</source>
        <translation>Fund share</translation>
    </message>
    <message>
        <source>个人负担</source>
        <translation>Personal share</translation>
    </message>
    <message>
        <source>全自费/先行自付</source>
        <translation>Full self-pay / pre self-pay</translation>
    </message>
    <message>
        <source>本期剩余额度（本次前）</source>
        <translation>Cap left (before this sale)</translation>
    </message>
    <message>
        <source>本次后剩余额度</source>
        <translation>Cap left after this sale</translation>
    </message>
    <message>
        <source>审核结果</source>
        <translation>Audit</translation>
    </message>
    <message>
        <source>结算预览</source>
        <translation>Settlement preview</translation>
    </message>
    <message>
        <source>审核中…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>待审核</source>
        <translation>Not audited yet</translation>
    </message>
    <message>
        <source>通过 PASS</source>
        <translation>PASS</translation>
    </message>
    <message>
        <source>警告 WARN</source>
        <translation>WARN</translation>
    </message>
    <message>
        <source>拦截 BLOCK</source>
        <translation>BLOCK</translation>
    </message>
    <message>
        <source>扫码未完成</source>
        <translation>Boxes still to scan</translation>
    </message>
    <message>
        <source>离线预结算（本地计算，待中心确认）</source>
        <translation>Offline pre-settlement (local figures, to be confirmed by the centre)</translation>
    </message>
    <message>
        <source>中心审核（预结算）</source>
        <translation>Centre audit (pre-settlement)</translation>
    </message>
    <message>
        <source>本地审核</source>
        <translation>Local audit</translation>
    </message>
    <message>
        <source>无审核提示</source>
        <translation>Nothing to report</translation>
    </message>
    <message>
        <source>第{0}行</source>
        <translation>line {0}</translation>
    </message>
    <message>
        <source>整单</source>
        <translation>whole sale</translation>
    </message>
    <message>
        <source>拦截</source>
        <translation>BLOCK</translation>
    </message>
    <message>
        <source>警告</source>
        <translation>WARN</translation>
    </message>
    <message>
        <source>提示</source>
        <translation>INFO</translation>
    </message>
    <message>
        <source>需主管确认</source>
        <translation>supervisor must confirm</translation>
    </message>
</context>
</TS>