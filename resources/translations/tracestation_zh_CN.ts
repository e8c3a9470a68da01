<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en_US">
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
    <name>StationShell</name>
    <message>
        <source>Connection lost: whether it was recorded is checked when the database is back.</source>
        <translation>连接中断：数据库恢复后将核实本次操作是否已记录。</translation>
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
        <source>Not recorded: {0}</source>
        <translation>未记录：{0}</translation>
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
    <name>messages</name>
    <message>
        <source>A station with the code {0} exists already.</source>
        <translation>代码为 {0} 的工位已存在。</translation>
    </message>
    <message>
        <source>Badge {0} is not known here.</source>
        <translation>工牌 {0} 未在本系统登记。</translation>
    </message>
    <message>
        <source>Locked after {0} minutes without activity. Log in again.</source>
        <translation>{0} 分钟无操作，已自动锁定。请重新登录。</translation>
    </message>
    <message>
        <source>Refused: {0}</source>
        <translation>操作被拒绝：{0}</translation>
    </message>
    <message>
        <source>The database cannot be reached. Nothing was recorded.</source>
        <translation>无法连接数据库，本次操作未记录。</translation>
    </message>
    <message>
        <source>The scan was empty: scan again.</source>
        <translation>扫描内容为空：请重新扫描。</translation>
    </message>
    <message>
        <source>This needs a supervisor.</source>
        <translation>此操作需要主管权限。</translation>
    </message>
    <message>
        <source>Wrong PIN. {0} tries left before the badge locks.</source>
        <translation>密码错误。还剩 {0} 次机会，用完后工牌将被锁定。</translation>
    </message>
    <message>
        <source>{0} is locked after too many wrong PINs. A supervisor must unlock the badge.</source>
        <translation>{0} 因密码错误次数过多已被锁定，须由主管解锁工牌。</translation>
    </message>
    <message>
        <source>{0} is no longer active. Ask a supervisor.</source>
        <translation>{0} 已停用，请联系主管。</translation>
    </message>
    <message>
        <source>{0} is not known: no unit, work order or shipment has this code.</source>
        <translation>{0} 无法识别：没有单元、工单或发货单使用此编码。</translation>
    </message>
    <message>
        <source>{0} names several units: scan the internal label instead.</source>
        <translation>{0} 对应多个单元：请改为扫描内部标签。</translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation>{0}：{1}</translation>
    </message>
</context>
</TS>
