<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en_US">
<context>
    <name>ConfirmStrip</name>
    <message>
        <source>No (Esc)</source>
        <translation>否（Esc）</translation>
    </message>
    <message>
        <source>Yes (Enter)</source>
        <translation>是（回车）</translation>
    </message>
</context>
<context>
    <name>FirstRun</name>
    <message>
        <source>Connected: {0}</source>
        <translation>已连接：{0}</translation>
    </message>
</context>
<context>
    <name>LoginView</name>
    <message>
        <source>Badge</source>
        <translation>工牌</translation>
    </message>
    <message>
        <source>Enter your PIN.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Scan your badge</source>
        <translation>请扫描工牌</translation>
    </message>
    <message>
        <source>Scan your badge first.</source>
        <translation>请先扫描工牌。</translation>
    </message>
    <message>
        <source>TraceStation · {0}</source>
        <translation>TraceStation · {0}</translation>
    </message>
</context>
<context>
    <name>OverviewView</name>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Database: {0}</source>
        <translation>数据库：{0}</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Latest events</source>
        <translation>最近事件</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Not loaded: {0}</source>
        <translation>加载失败：{0}</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>工位</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Units by status</source>
        <translation>按状态统计的单元</translation>
    </message>
</context>
<context>
    <name>ScopeForm</name>
    <message>
        <source>A time window narrows a machine or an operator: name one.</source>
        <translation>时间范围用于限定设备或操作员：请填写其一。</translation>
    </message>
    <message>
        <source>Codes</source>
        <translation>编码</translation>
    </message>
    <message>
        <source>Machine</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Name at least one code, supplier, work order, machine or operator.</source>
        <translation>请至少填写一个编码、供应商、工单、设备或操作员。</translation>
    </message>
    <message>
        <source>Only from</source>
        <translation>仅限时间从</translation>
    </message>
    <message>
        <source>Operator badge</source>
        <translation>操作员工牌</translation>
    </message>
    <message>
        <source>Scan or type codes: serials, lots, cartons, shipments…</source>
        <translation>扫描或输入编码：序列号、批次、箱、出货单…</translation>
    </message>
    <message>
        <source>Show impact (Enter)</source>
        <translation>查看影响范围（回车）</translation>
    </message>
    <message>
        <source>Supplier</source>
        <translation>供应商</translation>
    </message>
    <message>
        <source>Supplier lot</source>
        <translation>供应商批次</translation>
    </message>
    <message>
        <source>The time window ends before it starts.</source>
        <translation>时间范围的结束早于开始。</translation>
    </message>
    <message>
        <source>Work order</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>codes {0}</source>
        <translation>编码 {0}</translation>
    </message>
    <message>
        <source>from {0} to {1}</source>
        <translation>从 {0} 到 {1}</translation>
    </message>
    <message>
        <source>machine {0}</source>
        <translation>设备 {0}</translation>
    </message>
    <message>
        <source>operator {0}</source>
        <translation>操作员 {0}</translation>
    </message>
    <message>
        <source>supplier lot {0}</source>
        <translation>供应商批次 {0}</translation>
    </message>
    <message>
        <source>supplier {0}</source>
        <translation>供应商 {0}</translation>
    </message>
    <message>
        <source>to</source>
        <translation>到</translation>
    </message>
    <message>
        <source>work order {0}</source>
        <translation>工单 {0}</translation>
    </message>
</context>
<context>
    <name>SetupDialog</name>
    <message>
        <source>&amp;Connection</source>
        <translation>连接(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Embedded database on this PC (a trial station)</source>
        <translation>本机内置数据库（试用工位）(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Kind</source>
        <translation>类型(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>名称(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;PostgreSQL database shared by the plant</source>
        <translation>全厂共用的 PostgreSQL 数据库(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Station</source>
        <translation>工位(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>测试连接(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;URL</source>
        <translation>地址(&amp;U)</translation>
    </message>
    <message>
        <source>C&amp;ode</source>
        <translation>编码(&amp;O)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Choose this PC&apos;s station</source>
        <translation>选择本机所属的工位</translation>
    </message>
    <message>
        <source>Choose what the new station does.</source>
        <translation>请选择新工位的用途。</translation>
    </message>
    <message>
        <source>Choose what the station does</source>
        <translation>选择工位的用途</translation>
    </message>
    <message>
        <source>Connected.</source>
        <translation>已连接。</translation>
    </message>
    <message>
        <source>Connecting to the database…</source>
        <translation>正在连接数据库…</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>ESC/POS label printer</source>
        <translation>ESC/POS 标签打印机</translation>
    </message>
    <message>
        <source>Folder for the label images (empty: the usual folder)</source>
        <translation>标签图片文件夹（留空：使用默认文件夹）</translation>
    </message>
    <message>
        <source>Folder for the label images (empty: {0})</source>
        <translation>标签图片文件夹（留空：{0}）</translation>
    </message>
    <message>
        <source>For example PCK-02</source>
        <translation>例如 PCK-02</translation>
    </message>
    <message>
        <source>For example tcp://10.0.0.9:9100, usb://0fe6:811e or serial:///dev/ttyUSB0</source>
        <translation>例如 tcp://10.0.0.9:9100、usb://0fe6:811e 或 serial:///dev/ttyUSB0</translation>
    </message>
    <message>
        <source>L&amp;ine</source>
        <translation>产线(&amp;I)</translation>
    </message>
    <message>
        <source>Label printer</source>
        <translation>标签打印机</translation>
    </message>
    <message>
        <source>Loading the stations…</source>
        <translation>正在加载工位…</translation>
    </message>
    <message>
        <source>New station…</source>
        <translation>新建工位…</translation>
    </message>
    <message>
        <source>No line</source>
        <translation>无产线</translation>
    </message>
    <message>
        <source>No printer yet: label images in a folder</source>
        <translation>暂无打印机：标签图片存入文件夹</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>P&amp;rinter</source>
        <translation>打印机(&amp;R)</translation>
    </message>
    <message>
        <source>Packing</source>
        <translation>包装</translation>
    </message>
    <message>
        <source>Production</source>
        <translation>生产</translation>
    </message>
    <message>
        <source>Receiving</source>
        <translation>收货</translation>
    </message>
    <message>
        <source>Resolution (&amp;dpi)</source>
        <translation>分辨率 dpi(&amp;D)</translation>
    </message>
    <message>
        <source>Set up this station</source>
        <translation>设置本工位</translation>
    </message>
    <message>
        <source>Shipping</source>
        <translation>发货</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>工位</translation>
    </message>
    <message>
        <source>Station {0} exists already: choose it in the list.</source>
        <translation>工位 {0} 已存在：请在列表中选择。</translation>
    </message>
    <message>
        <source>Supervisor (quality and trace)</source>
        <translation>主管（质量与追溯）</translation>
    </message>
    <message>
        <source>Test the connection to see the plant&apos;s stations.</source>
        <translation>请先测试连接，以列出全厂的工位。</translation>
    </message>
    <message>
        <source>The database cannot be reached.</source>
        <translation>无法连接数据库。</translation>
    </message>
    <message>
        <source>This database has no station yet: describe a new one.</source>
        <translation>此数据库中还没有工位：请填写新工位的信息。</translation>
    </message>
    <message>
        <source>This printer setting cannot work: {0}</source>
        <translation>此打印机设置无法使用：{0}</translation>
    </message>
    <message>
        <source>Type the new station&apos;s code.</source>
        <translation>请输入新工位的编码。</translation>
    </message>
    <message>
        <source>Type the new station&apos;s name.</source>
        <translation>请输入新工位的名称。</translation>
    </message>
    <message>
        <source>ZPL label printer (Zebra and compatibles)</source>
        <translation>ZPL 标签打印机（斑马及兼容机型）</translation>
    </message>
    <message>
        <source>postgresql+psycopg2://user:password@host/database</source>
        <translation>postgresql+psycopg2://用户名:密码@主机/数据库</translation>
    </message>
    <message>
        <source>{0} station on line {1}.</source>
        <translation>{0}工位，产线 {1}。</translation>
    </message>
    <message>
        <source>{0} station, no line.</source>
        <translation>{0}工位，未分配产线。</translation>
    </message>
</context>
<context>
    <name>StationRunner</name>
    <message>
        <source>Connection lost: whether it was recorded is checked when the database is back.</source>
        <translation>连接中断：数据库恢复后将核实是否已记录。</translation>
    </message>
    <message>
        <source>Label {0} NOT printed: {1}. Check the printer and resend it.</source>
        <translation>标签 {0} 未打印：{1}。请检查打印机后重新发送。</translation>
    </message>
    <message>
        <source>Label {0} printed: {1}</source>
        <translation>标签 {0} 已打印：{1}</translation>
    </message>
    <message>
        <source>Nobody is logged in: log in first.</source>
        <translation>没有人登录：请先登录。</translation>
    </message>
    <message>
        <source>Not recorded: {0}</source>
        <translation>未记录：{0}</translation>
    </message>
    <message>
        <source>Saved {0}</source>
        <translation>已保存 {0}</translation>
    </message>
</context>
<context>
    <name>StationShell</name>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Database back online.</source>
        <translation>数据库已恢复连接。</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>物料</translation>
    </message>
    <message>
        <source>Looking up {0}…</source>
        <translation>正在查询 {0}…</translation>
    </message>
    <message>
        <source>Not logged in: {0}</source>
        <translation>登录失败：{0}</translation>
    </message>
    <message>
        <source>Shipment</source>
        <translation>发货单</translation>
    </message>
    <message>
        <source>The interrupted action was NOT recorded: scan it again.</source>
        <translation>中断的操作未被记录：请重新扫描。</translation>
    </message>
    <message>
        <source>The interrupted action was recorded.</source>
        <translation>中断的操作已记录。</translation>
    </message>
    <message>
        <source>Trace cancelled.</source>
        <translation>追溯已取消。</translation>
    </message>
    <message>
        <source>Traced {0}</source>
        <translation>已追溯 {0}</translation>
    </message>
    <message>
        <source>Tracing {0}…</source>
        <translation>正在追溯 {0}…</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单元</translation>
    </message>
    <message>
        <source>Welcome, {0}</source>
        <translation>欢迎，{0}</translation>
    </message>
    <message>
        <source>Work order</source>
        <translation>工单</translation>
    </message>
</context>
<context>
    <name>StationWindow</name>
    <message>
        <source>Database offline: scans are not recorded</source>
        <translation>数据库离线：扫描不会被记录</translation>
    </message>
    <message>
        <source>Database online</source>
        <translation>数据库在线</translation>
    </message>
    <message>
        <source>Last actions</source>
        <translation>最近操作</translation>
    </message>
    <message>
        <source>Log out (Ctrl+L)</source>
        <translation>退出登录 (Ctrl+L)</translation>
    </message>
    <message>
        <source>No sound</source>
        <translation>声音不可用</translation>
    </message>
    <message>
        <source>Not logged in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>Station {0} · Line {1}</source>
        <translation>工位 {0} · 产线 {1}</translation>
    </message>
    <message>
        <source>TraceStation · {0}</source>
        <translation>TraceStation · {0}</translation>
    </message>
</context>
<context>
    <name>TraceView</name>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
    <message>
        <source>Characteristic</source>
        <translation>检验项目</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Equipment</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>In container</source>
        <translation>所在容器</translation>
    </message>
    <message>
        <source>Inspections</source>
        <translation>检验结果</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>物料</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>规格限</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>关联</translation>
    </message>
    <message>
        <source>Made / expires</source>
        <translation>生产 / 到期</translation>
    </message>
    <message>
        <source>Not traced: {0}</source>
        <translation>未能追溯：{0}</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>精确度</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Several units answer to this code: pick one (arrows, Enter)</source>
        <translation>此编码对应多个单元：请选择一个（方向键，回车）</translation>
    </message>
    <message>
        <source>Shipment</source>
        <translation>发货单</translation>
    </message>
    <message>
        <source>Shipped to</source>
        <translation>发往</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>工位</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>工序</translation>
    </message>
    <message>
        <source>Supplier</source>
        <translation>供应商</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <source>Trace</source>
        <translation>追溯</translation>
    </message>
    <message>
        <source>Tracing…</source>
        <translation>正在追溯…</translation>
    </message>
    <message>
        <source>Type or scan a code first.</source>
        <translation>请先输入或扫描一个编码。</translation>
    </message>
    <message>
        <source>Type or scan any code (Ctrl+F)</source>
        <translation>输入或扫描任意编码 (Ctrl+F)</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单元</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>测量值</translation>
    </message>
    <message>
        <source>Where it came from</source>
        <translation>来源（反向追溯）</translation>
    </message>
    <message>
        <source>Where it went</source>
        <translation>去向（正向追溯）</translation>
    </message>
    <message>
        <source>Work order</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>adjusted</source>
        <translation>调整</translation>
    </message>
    <message>
        <source>and {0} more</source>
        <translation>另有 {0} 个</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>已封箱</translation>
    </message>
    <message>
        <source>consumed</source>
        <translation>已消耗</translation>
    </message>
    <message>
        <source>container</source>
        <comment>unit kind</comment>
        <translation>容器</translation>
    </message>
    <message>
        <source>contains</source>
        <translation>包含</translation>
    </message>
    <message>
        <source>fail</source>
        <translation>不合格</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>不合格</translation>
    </message>
    <message>
        <source>in container</source>
        <comment>link level</comment>
        <translation>装于容器</translation>
    </message>
    <message>
        <source>in production</source>
        <translation>生产中</translation>
    </message>
    <message>
        <source>in quarantine</source>
        <translation>待检</translation>
    </message>
    <message>
        <source>inspected</source>
        <translation>检验</translation>
    </message>
    <message>
        <source>label printed</source>
        <translation>打印标签</translation>
    </message>
    <message>
        <source>label reprinted</source>
        <translation>补打标签</translation>
    </message>
    <message>
        <source>lot</source>
        <comment>unit kind</comment>
        <translation>批次</translation>
    </message>
    <message>
        <source>lot</source>
        <comment>link level</comment>
        <translation>批次级</translation>
    </message>
    <message>
        <source>master data</source>
        <translation>主数据</translation>
    </message>
    <message>
        <source>may contain</source>
        <translation>可能包含</translation>
    </message>
    <message>
        <source>on hold</source>
        <translation>已冻结</translation>
    </message>
    <message>
        <source>open</source>
        <translation>未封箱</translation>
    </message>
    <message>
        <source>packed</source>
        <translation>已装箱</translation>
    </message>
    <message>
        <source>pass</source>
        <translation>合格</translation>
    </message>
    <message>
        <source>produced</source>
        <translation>产出</translation>
    </message>
    <message>
        <source>put on hold</source>
        <translation>冻结</translation>
    </message>
    <message>
        <source>received</source>
        <translation>收货</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>已拒收</translation>
    </message>
    <message>
        <source>released</source>
        <translation>已放行</translation>
    </message>
    <message>
        <source>scrapped</source>
        <translation>已报废</translation>
    </message>
    <message>
        <source>serial</source>
        <comment>unit kind</comment>
        <translation>序列号</translation>
    </message>
    <message>
        <source>serial created</source>
        <translation>序列号生成</translation>
    </message>
    <message>
        <source>shipment order</source>
        <translation>出货单</translation>
    </message>
    <message>
        <source>shipped</source>
        <translation>已发货</translation>
    </message>
    <message>
        <source>split</source>
        <translation>拆分</translation>
    </message>
    <message>
        <source>step reported</source>
        <translation>工序报工</translation>
    </message>
    <message>
        <source>unit</source>
        <comment>link level</comment>
        <translation>单件级</translation>
    </message>
    <message>
        <source>unpacked</source>
        <translation>拆箱</translation>
    </message>
    <message>
        <source>work order</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>{0} to {1} {2}</source>
        <translation>{0} 发往 {1} {2}</translation>
    </message>
    <message>
        <source>{0} units: {1}</source>
        <translation>{0} 个单元：{1}</translation>
    </message>
</context>
<context>
    <name>messages</name>
    <message>
        <source>, </source>
        <comment>separator between the items of a list</comment>
        <translation>、</translation>
    </message>
    <message>
        <source>A station with the code {0} exists already.</source>
        <translation>代码为 {0} 的工位已存在。</translation>
    </message>
    <message>
        <source>Badge {0} is not known here.</source>
        <translation>工牌 {0} 未在本系统登记。</translation>
    </message>
    <message>
        <source>Customer {0} is not known.</source>
        <translation>客户 {0} 未登记。</translation>
    </message>
    <message>
        <source>Equipment {0} is not known.</source>
        <translation>设备 {0} 未登记。</translation>
    </message>
    <message>
        <source>Item {0} has no number of cartons per pallet: ask a supervisor.</source>
        <translation>物料 {0} 未设置每托盘箱数：请联系主管。</translation>
    </message>
    <message>
        <source>Item {0} has no number of units per carton: ask a supervisor.</source>
        <translation>物料 {0} 未设置每箱数量：请联系主管。</translation>
    </message>
    <message>
        <source>Item {0} has no numbering rule: ask a supervisor.</source>
        <translation>物料 {0} 没有编号规则：请联系主管。</translation>
    </message>
    <message>
        <source>Item {0} has no step {1} on its routing.</source>
        <translation>物料 {0} 的工艺路线中没有工序 {1}。</translation>
    </message>
    <message>
        <source>Item {0} is not in the bill of materials of {1}.</source>
        <translation>物料 {0} 不在 {1} 的物料清单（BOM）中。</translation>
    </message>
    <message>
        <source>Item {0} is not known.</source>
        <translation>物料 {0} 未登记。</translation>
    </message>
    <message>
        <source>Item {0} is not tracked by lot.</source>
        <translation>物料 {0} 不按批次追溯。</translation>
    </message>
    <message>
        <source>Item {0} is not tracked by serial number.</source>
        <translation>物料 {0} 不按序列号追溯。</translation>
    </message>
    <message>
        <source>Item {0} is tracked by serial number: report each serial on its own.</source>
        <translation>物料 {0} 按序列号追溯：请逐个序列号报工。</translation>
    </message>
    <message>
        <source>Locked after {0} minutes without activity. Log in again.</source>
        <translation>{0} 分钟无操作，已自动锁定。请重新登录。</translation>
    </message>
    <message>
        <source>Lot {0} expired on {1}.</source>
        <translation>批次 {0} 已于 {1} 过期。</translation>
    </message>
    <message>
        <source>Lot {0} fails inspection on {1}: it cannot be released. Reject it instead.</source>
        <translation>批次 {0} 的检验项 {1} 不合格，不能放行。请改为拒收。</translation>
    </message>
    <message>
        <source>Lot {0} holds only {1}, not {2}.</source>
        <translation>批次 {0} 仅剩 {1}，不足 {2}。</translation>
    </message>
    <message>
        <source>Lot {0} is not released ({1}): it cannot be used.</source>
        <translation>批次 {0} 未放行（{1}），不能使用。</translation>
    </message>
    <message>
        <source>Lot {0} is not waiting for inspection: it is {1}.</source>
        <translation>批次 {0} 不在待检状态（当前：{1}）。</translation>
    </message>
    <message>
        <source>Lot {0} is on hold: it cannot be used.</source>
        <translation>批次 {0} 已冻结，不能使用。</translation>
    </message>
    <message>
        <source>Numbering rule {0} has no free number left for {1}: ask a supervisor.</source>
        <translation>编号规则 {0} 在 {1} 期间的号码已用完：请联系主管。</translation>
    </message>
    <message>
        <source>Numbering rule {0} has no free number left: ask a supervisor.</source>
        <translation>编号规则 {0} 的号码已用完：请联系主管。</translation>
    </message>
    <message>
        <source>Numbering rule {0} is not valid ({1}): ask a supervisor.</source>
        <translation>编号规则 {0} 无效（{1}）：请联系主管。</translation>
    </message>
    <message>
        <source>Print job {0} cannot go from “{1}” to “{2}”.</source>
        <translation>打印任务 {0} 不能从“{1}”改为“{2}”。</translation>
    </message>
    <message>
        <source>Print job {0} is not known.</source>
        <translation>打印任务 {0} 不存在。</translation>
    </message>
    <message>
        <source>Refused: {0}</source>
        <translation>操作被拒绝：{0}</translation>
    </message>
    <message>
        <source>Serial {0} belongs to no work order.</source>
        <translation>序列号 {0} 不属于任何工单。</translation>
    </message>
    <message>
        <source>Serial {0} failed a test: it cannot be used.</source>
        <translation>序列号 {0} 测试不合格，不能使用。</translation>
    </message>
    <message>
        <source>Serial {0} has not finished its routing yet.</source>
        <translation>序列号 {0} 尚未完成全部工序。</translation>
    </message>
    <message>
        <source>Serial {0} in {1} failed a test: it cannot be shipped.</source>
        <translation>{1} 中的序列号 {0} 测试不合格，不能发货。</translation>
    </message>
    <message>
        <source>Serial {0} is used already.</source>
        <translation>序列号 {0} 已被使用。</translation>
    </message>
    <message>
        <source>Shipment {0} does not match its order: {1}.</source>
        <translation>发货单 {0} 与订单数量不符：{1}。</translation>
    </message>
    <message>
        <source>Shipment {0} exists already.</source>
        <translation>发货单 {0} 已存在。</translation>
    </message>
    <message>
        <source>Shipment {0} has left already: it cannot be changed.</source>
        <translation>发货单 {0} 已发出，不能再更改。</translation>
    </message>
    <message>
        <source>Shipment {0} is empty: scan what leaves first.</source>
        <translation>发货单 {0} 为空：请先扫描要发出的货物。</translation>
    </message>
    <message>
        <source>Shipment {0} is not known.</source>
        <translation>发货单 {0} 不存在。</translation>
    </message>
    <message>
        <source>Site {0} has no numbering rule for cartons and pallets: ask a supervisor.</source>
        <translation>厂区 {0} 没有箱和托盘的编号规则：请联系主管。</translation>
    </message>
    <message>
        <source>Step {0} does not measure {1}.</source>
        <translation>工序 {0} 没有检测项 {1}。</translation>
    </message>
    <message>
        <source>Step {0} needs a measurement of {1}.</source>
        <translation>工序 {0} 需要录入 {1} 的测量值。</translation>
    </message>
    <message>
        <source>Supplier {0} is not known.</source>
        <translation>供应商 {0} 未登记。</translation>
    </message>
    <message>
        <source>The action number {0} is not valid: nothing was recorded.</source>
        <translation>操作编号 {0} 无效：本次操作未记录。</translation>
    </message>
    <message>
        <source>The check digit of {0} is wrong ({1} instead of {2}): check the code.</source>
        <translation>{0} 的校验位错误（实为 {1}，应为 {2}）：请核对编码。</translation>
    </message>
    <message>
        <source>The database cannot be reached. Nothing was recorded.</source>
        <translation>无法连接数据库，本次操作未记录。</translation>
    </message>
    <message>
        <source>The database has no tables for this program yet: an administrator must run {0}.</source>
        <translation>数据库尚未为本程序建表：须由管理员运行 {0}。</translation>
    </message>
    <message>
        <source>The database is at version {0}, this program needs {1}: an administrator must run {2}.</source>
        <translation>数据库版本为 {0}，本程序需要 {1}：须由管理员运行 {2}。</translation>
    </message>
    <message>
        <source>The expiry date {0} cannot be before {1}.</source>
        <translation>失效日期 {0} 不能早于 {1}。</translation>
    </message>
    <message>
        <source>The expiry date {0} is not valid.</source>
        <translation>失效日期 {0} 无效。</translation>
    </message>
    <message>
        <source>The label of {0} is printed already (job {1}): reprint it, with a reason.</source>
        <translation>{0} 的标签已打印过（打印任务 {1}）：如需再次打印，请补打并填写原因。</translation>
    </message>
    <message>
        <source>The manufacturing date {0} is not valid: it cannot be in the future.</source>
        <translation>生产日期 {0} 无效：不能晚于今天。</translation>
    </message>
    <message>
        <source>The scan was empty: scan again.</source>
        <translation>扫描内容为空：请重新扫描。</translation>
    </message>
    <message>
        <source>The scan {0} holds a control character ({1}): check the scanner&apos;s settings.</source>
        <translation>扫描内容 {0} 含有控制字符（{1}）：请检查扫码枪设置。</translation>
    </message>
    <message>
        <source>The start {0} must be before the end {1}.</source>
        <translation>开始时间 {0} 必须早于结束时间 {1}。</translation>
    </message>
    <message>
        <source>This action was recorded before as another operation ({0}): nothing was recorded.</source>
        <translation>此操作编号已被另一项操作（{0}）使用：本次未记录。</translation>
    </message>
    <message>
        <source>This needs a reason: enter why.</source>
        <translation>此操作需要填写原因。</translation>
    </message>
    <message>
        <source>This needs a supervisor.</source>
        <translation>此操作需要主管权限。</translation>
    </message>
    <message>
        <source>This needs one of these roles: {0}.</source>
        <translation>此操作需要以下角色之一：{0}。</translation>
    </message>
    <message>
        <source>This station is not known or no longer active: ask a supervisor to set it up.</source>
        <translation>本工位未登记或已停用：请联系主管设置。</translation>
    </message>
    <message>
        <source>Too much of item {0}: the shipment orders {1}, {2} picked so far, {3} more would exceed it.</source>
        <translation>物料 {0} 超量：发货单需要 {1}，已拣 {2}，再加 {3} 将超出。</translation>
    </message>
    <message>
        <source>Work order {0} cannot be released: it is {1}.</source>
        <translation>工单 {0} 不能下达（当前：{1}）。</translation>
    </message>
    <message>
        <source>Work order {0} exists already.</source>
        <translation>工单 {0} 已存在。</translation>
    </message>
    <message>
        <source>Work order {0} is completed: nothing more can be recorded on it.</source>
        <translation>工单 {0} 已完工，不能再记录。</translation>
    </message>
    <message>
        <source>Work order {0} is for {1}: {2} in all would be more than that.</source>
        <translation>工单 {0} 计划数量为 {1}：累计 {2} 将超出计划。</translation>
    </message>
    <message>
        <source>Work order {0} is for {1}: {2} serials exist, {3} more would be too many.</source>
        <translation>工单 {0} 计划数量为 {1}：已有 {2} 个序列号，再生成 {3} 个将超出计划。</translation>
    </message>
    <message>
        <source>Work order {0} is not known.</source>
        <translation>工单 {0} 不存在。</translation>
    </message>
    <message>
        <source>Work order {0} is not released yet: ask a supervisor to release it.</source>
        <translation>工单 {0} 尚未下达：请联系主管下达。</translation>
    </message>
    <message>
        <source>Work order {0}: step {1} has reported only {2} good: report it first.</source>
        <translation>工单 {0}：工序 {1} 仅报工合格 {2}：请先完成该工序报工。</translation>
    </message>
    <message>
        <source>Wrong PIN. {0} tries left before the badge locks.</source>
        <translation>密码错误。还剩 {0} 次机会，用完后工牌将被锁定。</translation>
    </message>
    <message>
        <source>Your user is not known here any more. Log in again.</source>
        <translation>系统中已找不到您的用户：请重新登录。</translation>
    </message>
    <message>
        <source>administrator</source>
        <comment>role</comment>
        <translation>管理员</translation>
    </message>
    <message>
        <source>closed</source>
        <comment>status</comment>
        <translation>已封箱</translation>
    </message>
    <message>
        <source>completed</source>
        <comment>work order status</comment>
        <translation>已完工</translation>
    </message>
    <message>
        <source>consumed</source>
        <comment>status</comment>
        <translation>已消耗</translation>
    </message>
    <message>
        <source>failed</source>
        <comment>status</comment>
        <translation>不合格</translation>
    </message>
    <message>
        <source>in production</source>
        <comment>status</comment>
        <translation>生产中</translation>
    </message>
    <message>
        <source>in quarantine</source>
        <comment>status</comment>
        <translation>待检</translation>
    </message>
    <message>
        <source>not printed</source>
        <comment>print job status</comment>
        <translation>打印失败</translation>
    </message>
    <message>
        <source>on hold</source>
        <comment>status</comment>
        <translation>已冻结</translation>
    </message>
    <message>
        <source>open</source>
        <comment>status</comment>
        <translation>未封箱</translation>
    </message>
    <message>
        <source>operator</source>
        <comment>role</comment>
        <translation>操作员</translation>
    </message>
    <message>
        <source>packed</source>
        <comment>status</comment>
        <translation>已装箱</translation>
    </message>
    <message>
        <source>planned</source>
        <comment>work order status</comment>
        <translation>已计划</translation>
    </message>
    <message>
        <source>printed</source>
        <comment>print job status</comment>
        <translation>已打印</translation>
    </message>
    <message>
        <source>quality inspector</source>
        <comment>role</comment>
        <translation>质检员</translation>
    </message>
    <message>
        <source>rejected</source>
        <comment>status</comment>
        <translation>已拒收</translation>
    </message>
    <message>
        <source>released</source>
        <comment>status</comment>
        <translation>已放行</translation>
    </message>
    <message>
        <source>reserved</source>
        <comment>print job status</comment>
        <translation>已预留</translation>
    </message>
    <message>
        <source>scrapped</source>
        <comment>status</comment>
        <translation>已报废</translation>
    </message>
    <message>
        <source>sent to the printer</source>
        <comment>print job status</comment>
        <translation>已发送到打印机</translation>
    </message>
    <message>
        <source>shipped</source>
        <comment>status</comment>
        <translation>已发货</translation>
    </message>
    <message>
        <source>supervisor</source>
        <comment>role</comment>
        <translation>主管</translation>
    </message>
    <message>
        <source>{0} cannot be packed into itself.</source>
        <translation>{0} 不能装入自身。</translation>
    </message>
    <message>
        <source>{0} cannot be shared out into {1} packages.</source>
        <translation>{0} 无法分成 {1} 件包装。</translation>
    </message>
    <message>
        <source>{0} cannot go into {1}: cartons take products, pallets take cartons.</source>
        <translation>{0} 不能装入 {1}：箱内装产品，托盘上装箱。</translation>
    </message>
    <message>
        <source>{0} does not match: {1} is a unit of another item.</source>
        <translation>{0} 不匹配：{1} 属于另一种物料。</translation>
    </message>
    <message>
        <source>{0} expired on {1}.</source>
        <translation>{0} 已于 {1} 过期。</translation>
    </message>
    <message>
        <source>{0} has been scrapped.</source>
        <translation>{0} 已报废。</translation>
    </message>
    <message>
        <source>{0} has been shipped already.</source>
        <translation>{0} 已发货。</translation>
    </message>
    <message>
        <source>{0} has been used up in production.</source>
        <translation>{0} 已在生产中耗用。</translation>
    </message>
    <message>
        <source>{0} has nothing to trace yet.</source>
        <translation>{0} 暂无可追溯的内容。</translation>
    </message>
    <message>
        <source>{0} has passed step {1} already.</source>
        <translation>{0} 已通过工序 {1}。</translation>
    </message>
    <message>
        <source>{0} holds another item: {1} cannot go into it.</source>
        <translation>{0} 中装的是其他物料：{1} 不能装入。</translation>
    </message>
    <message>
        <source>{0} in {1} expired on {2}.</source>
        <translation>{1} 中的 {0} 已于 {2} 过期。</translation>
    </message>
    <message>
        <source>{0} in {1} has been scrapped.</source>
        <translation>{1} 中的 {0} 已报废。</translation>
    </message>
    <message>
        <source>{0} in {1} has been shipped already.</source>
        <translation>{1} 中的 {0} 已发货。</translation>
    </message>
    <message>
        <source>{0} in {1} is not released ({2}): it cannot be used.</source>
        <translation>{1} 中的 {0} 未放行（{2}），不能使用。</translation>
    </message>
    <message>
        <source>{0} in {1} is on hold: it cannot be used.</source>
        <translation>{1} 中的 {0} 已冻结，不能使用。</translation>
    </message>
    <message>
        <source>{0} is a carton or a pallet: unpack it and scrap what it holds.</source>
        <translation>{0} 是箱或托盘：请先拆开，再报废其中的货物。</translation>
    </message>
    <message>
        <source>{0} is closed: nothing more can go into it.</source>
        <translation>{0} 已封箱，不能再装入。</translation>
    </message>
    <message>
        <source>{0} is empty.</source>
        <translation>{0} 是空的。</translation>
    </message>
    <message>
        <source>{0} is full ({1} of {2}): close it and start a new one.</source>
        <translation>{0} 已装满（{1}/{2}）：请封箱并换一个新的。</translation>
    </message>
    <message>
        <source>{0} is item {1}, which shipment {2} does not order.</source>
        <translation>{0} 是物料 {1}，发货单 {2} 中没有此物料。</translation>
    </message>
    <message>
        <source>{0} is locked after too many wrong PINs. A supervisor must unlock the badge.</source>
        <translation>{0} 因密码错误次数过多已被锁定，须由主管解锁工牌。</translation>
    </message>
    <message>
        <source>{0} is missing or not valid.</source>
        <translation>{0} 缺失或无效。</translation>
    </message>
    <message>
        <source>{0} is no longer active. Ask a supervisor.</source>
        <translation>{0} 已停用，请联系主管。</translation>
    </message>
    <message>
        <source>{0} is not a GTIN: a GTIN has 8, 12, 13 or 14 digits.</source>
        <translation>{0} 不是有效的 GTIN：GTIN 应为 8、12、13 或 14 位数字。</translation>
    </message>
    <message>
        <source>{0} is not a carton or a pallet.</source>
        <translation>{0} 不是箱或托盘。</translation>
    </message>
    <message>
        <source>{0} is not a lot.</source>
        <translation>{0} 不是批次。</translation>
    </message>
    <message>
        <source>{0} is not a serial number.</source>
        <translation>{0} 不是序列号。</translation>
    </message>
    <message>
        <source>{0} is not a valid GS1 barcode: check the label or scan again.</source>
        <translation>{0} 不是有效的 GS1 条码：请检查标签或重新扫描。</translation>
    </message>
    <message>
        <source>{0} is not a valid date.</source>
        <translation>{0} 不是有效日期。</translation>
    </message>
    <message>
        <source>{0} is not a valid quantity.</source>
        <translation>{0} 不是有效数量。</translation>
    </message>
    <message>
        <source>{0} is not a valid quantity: 1 to {1}.</source>
        <translation>{0} 不是有效数量：应为 1 到 {1}。</translation>
    </message>
    <message>
        <source>{0} is not known: no item has the GTIN {1}.</source>
        <translation>{0} 无法识别：没有物料使用 GTIN {1}。</translation>
    </message>
    <message>
        <source>{0} is not known: no unit, work order or shipment has this code.</source>
        <translation>{0} 无法识别：没有单元、工单或发货单使用此编码。</translation>
    </message>
    <message>
        <source>{0} is not on hold: there is nothing to release.</source>
        <translation>{0} 未被冻结，无需解冻。</translation>
    </message>
    <message>
        <source>{0} is not on shipment {1}.</source>
        <translation>{0} 不在发货单 {1} 中。</translation>
    </message>
    <message>
        <source>{0} is not packed in anything.</source>
        <translation>{0} 未装入任何箱或托盘。</translation>
    </message>
    <message>
        <source>{0} is not released ({1}): it cannot be used.</source>
        <translation>{0} 未放行（{1}），不能使用。</translation>
    </message>
    <message>
        <source>{0} is not valid: {1}.</source>
        <translation>{0} 无效：{1}。</translation>
    </message>
    <message>
        <source>{0} is on a shipment already.</source>
        <translation>{0} 已在某个发货单中。</translation>
    </message>
    <message>
        <source>{0} is on hold: it cannot be used.</source>
        <translation>{0} 已冻结，不能使用。</translation>
    </message>
    <message>
        <source>{0} is on shipment {1} already.</source>
        <translation>{0} 已在发货单 {1} 中。</translation>
    </message>
    <message>
        <source>{0} is packed already.</source>
        <translation>{0} 已装箱。</translation>
    </message>
    <message>
        <source>{0} is packed in {1} already.</source>
        <translation>{0} 已装入 {1}。</translation>
    </message>
    <message>
        <source>{0} is still open: close it first.</source>
        <translation>{0} 尚未封箱：请先封箱。</translation>
    </message>
    <message>
        <source>{0} is too long: {1} characters at most.</source>
        <translation>{0} 过长：最多 {1} 个字符。</translation>
    </message>
    <message>
        <source>{0} must pass {1} before step {2}.</source>
        <translation>{0} 须先通过 {1}，才能进行工序 {2}。</translation>
    </message>
    <message>
        <source>{0} names several units ({1}): scan the internal label instead.</source>
        <translation>{0} 对应多个单元（{1}）：请改为扫描内部标签。</translation>
    </message>
    <message>
        <source>{0} packages is too many: {1} at most.</source>
        <translation>{0} 件包装过多：最多 {1} 件。</translation>
    </message>
    <message>
        <source>{0} still lacks components: {1}.</source>
        <translation>{0} 仍缺少部件：{1}。</translation>
    </message>
    <message>
        <source>{0} takes {1} of item {2}, and all are fitted already.</source>
        <translation>{0} 需装 {1} 个物料 {2}，已全部装配。</translation>
    </message>
    <message>
        <source>{0}: {1} of {2}</source>
        <comment>item: quantity picked of required</comment>
        <translation>{0}（已拣 {1}/应发 {2}）</translation>
    </message>
</context>
</TS>
