<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en_US">
<context>
    <name>BomTable</name>
    <message>
        <source>Component</source>
        <translation>物料</translation>
    </message>
    <message>
        <source>Fed</source>
        <translation>已投料</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>待投料</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>需求量</translation>
    </message>
    <message>
        <source>Scan</source>
        <translation>扫码</translation>
    </message>
    <message>
        <source>into each unit</source>
        <translation>逐台扫入</translation>
    </message>
    <message>
        <source>not scanned</source>
        <translation>免扫码</translation>
    </message>
    <message>
        <source>scan lot</source>
        <translation>扫批次</translation>
    </message>
    <message>
        <source>{0} (or {1})</source>
        <translation>{0}（或替代料 {1}）</translation>
    </message>
</context>
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
    <name>FeedPanel</name>
    <message>
        <source>Left empty, a scan feeds what the BOM line still needs, at most what the lot holds.</source>
        <translation>不填时，扫码即按该 BOM 行的待投料量投料，最多为批次剩余量。</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>可不填</translation>
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
    <name>GenealogyView</name>
    <message>
        <source>({0} units further away are not drawn)</source>
        <translation>（更远的 {0} 个单元未画出）</translation>
    </message>
    <message>
        <source>C</source>
        <translation>箱</translation>
    </message>
    <message>
        <source>Drag to pan; Ctrl+wheel or Ctrl+plus/minus to zoom; Ctrl+0 to fit.</source>
        <translation>拖动平移；Ctrl+滚轮或 Ctrl+加号/减号缩放；Ctrl+0 适应窗口。</translation>
    </message>
    <message>
        <source>Genealogy</source>
        <translation>谱系图</translation>
    </message>
    <message>
        <source>Genealogy of {0}</source>
        <translation>{0} 的谱系图</translation>
    </message>
    <message>
        <source>Genealogy of {0} units</source>
        <translation>{0} 个单元的谱系图</translation>
    </message>
    <message>
        <source>L</source>
        <translation>批</translation>
    </message>
    <message>
        <source>Left: where it came from; right: where it went.</source>
        <translation>左侧为来源，右侧为去向。</translation>
    </message>
    <message>
        <source>S</source>
        <translation>序</translation>
    </message>
    <message>
        <source>Solid arrows: contains (unit level); dashed arrows: may contain (lot level).</source>
        <translation>实线箭头：包含（单件级）；虚线箭头：可能包含（批次级）。</translation>
    </message>
    <message>
        <source>Summarised: {0} units in {1} groups</source>
        <translation>已汇总：{0} 个单元，分为 {1} 组</translation>
    </message>
    <message>
        <source>Trace a code to see its genealogy.</source>
        <translation>追溯一个编码即可查看其谱系图。</translation>
    </message>
    <message>
        <source>TraceStation genealogy: {0} units in {1} boxes.</source>
        <translation>TraceStation 谱系图：{0} 个单元，{1} 个方框。</translation>
    </message>
    <message>
        <source>container</source>
        <translation>容器</translation>
    </message>
    <message>
        <source>contains</source>
        <translation>包含</translation>
    </message>
    <message>
        <source>contains (unit level)</source>
        <translation>包含（单件级）</translation>
    </message>
    <message>
        <source>lot</source>
        <translation>批次</translation>
    </message>
    <message>
        <source>may contain</source>
        <translation>可能包含</translation>
    </message>
    <message>
        <source>may contain (lot level)</source>
        <translation>可能包含（批次级）</translation>
    </message>
    <message>
        <source>mixed items</source>
        <translation>多种物料</translation>
    </message>
    <message>
        <source>mixed statuses</source>
        <translation>多种状态</translation>
    </message>
    <message>
        <source>serial</source>
        <translation>序列号</translation>
    </message>
    <message>
        <source>← came from · went to →</source>
        <translation>← 来源 · 去向 →</translation>
    </message>
</context>
<context>
    <name>ImpactView</name>
    <message>
        <source>(starting units: {0})</source>
        <translation>（起点单元：{0}）</translation>
    </message>
    <message>
        <source>Affected units</source>
        <translation>受影响单元</translation>
    </message>
    <message>
        <source>Affected units: {0} · cartons and pallets: {1} · shipments: {2} · customers: {3}</source>
        <translation>受影响单元：{0} · 箱和托盘：{1} · 出货单：{2} · 客户：{3}</translation>
    </message>
    <message>
        <source>CSV (Ctrl+1)</source>
        <translation>CSV 清单 (Ctrl+1)</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
    <message>
        <source>Consumed</source>
        <translation>已耗用</translation>
    </message>
    <message>
        <source>Counting the affected units…</source>
        <translation>正在统计受影响的单元…</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Excel (Ctrl+2)</source>
        <translation>Excel 表格 (Ctrl+2)</translation>
    </message>
    <message>
        <source>Export cancelled: no file was saved.</source>
        <translation>导出已取消：没有保存任何文件。</translation>
    </message>
    <message>
        <source>Export the recall list: CSV, Excel or the PDF report.</source>
        <translation>导出召回清单：CSV、Excel 或 PDF 报告。</translation>
    </message>
    <message>
        <source>Exporting: {0} of {1} rows… (Esc cancels)</source>
        <translation>正在导出：{0} / {1} 行…（按 Esc 取消）</translation>
    </message>
    <message>
        <source>In production</source>
        <translation>生产中</translation>
    </message>
    <message>
        <source>In stock</source>
        <translation>在库</translation>
    </message>
    <message>
        <source>No affected unit has been shipped.</source>
        <translation>受影响的单元都没有出货。</translation>
    </message>
    <message>
        <source>No recall counted yet.</source>
        <translation>尚未统计召回范围。</translation>
    </message>
    <message>
        <source>Not done: {0}</source>
        <translation>未完成：{0}</translation>
    </message>
    <message>
        <source>On hold</source>
        <translation>冻结</translation>
    </message>
    <message>
        <source>PDF report (Ctrl+3)</source>
        <translation>PDF 报告 (Ctrl+3)</translation>
    </message>
    <message>
        <source>Recall impact</source>
        <translation>召回影响</translation>
    </message>
    <message>
        <source>Recall of: {0}</source>
        <translation>召回范围：{0}</translation>
    </message>
    <message>
        <source>Saved {0} rows to {1}</source>
        <translation>已保存 {0} 行到 {1}</translation>
    </message>
    <message>
        <source>Scrapped</source>
        <translation>报废/判退</translation>
    </message>
    <message>
        <source>Shipments</source>
        <translation>出货单</translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation>已出货</translation>
    </message>
    <message>
        <source>Shipped to customers</source>
        <translation>已出货给客户</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>单元数</translation>
    </message>
    <message>
        <source>Where they are</source>
        <translation>所在位置</translation>
    </message>
    <message>
        <source>Working… (Esc cancels)</source>
        <translation>处理中…（按 Esc 取消）</translation>
    </message>
</context>
<context>
    <name>LabelFlows</name>
    <message>
        <source>Label {0} confirmed.</source>
        <translation>标签 {0} 已确认。</translation>
    </message>
    <message>
        <source>Label {0} confirmed: {1} more to scan back.</source>
        <translation>标签 {0} 已确认：还有 {1} 张待回扫。</translation>
    </message>
    <message>
        <source>Label {0} printed again.</source>
        <translation>标签 {0} 已补打。</translation>
    </message>
    <message>
        <source>Label {0} printed again: stick it on and scan it back.</source>
        <translation>标签 {0} 已补打：请贴上并回扫。</translation>
    </message>
    <message>
        <source>Scan a work order first: its serials are labelled here.</source>
        <translation>请先扫描工单：在此为其序列号打印标签。</translation>
    </message>
    <message>
        <source>Scan the label of {0} back from its unit first (or #CANCEL).</source>
        <translation>请先从产品上回扫 {0} 的标签（或扫 #CANCEL）。</translation>
    </message>
    <message>
        <source>Sent again: {0}.</source>
        <translation>已重发：{0}。</translation>
    </message>
    <message>
        <source>Serial {0} created and labelled: stick the label on the unit and scan it back.</source>
        <translation>序列号 {0} 已生成并打印标签：请将标签贴到产品上并回扫。</translation>
    </message>
    <message>
        <source>Still not printed: check the printer, then F7 again.</source>
        <translation>仍未打印：请检查打印机，然后再按 F7。</translation>
    </message>
    <message>
        <source>Still not printed: {0}</source>
        <translation>仍未打印：{0}</translation>
    </message>
    <message>
        <source>The new label of {0} did not print: check the printer, then F7.</source>
        <translation>{0} 的新标签未打印：请检查打印机，然后按 F7。</translation>
    </message>
    <message>
        <source>There is no label to send again.</source>
        <translation>没有需要重发的标签。</translation>
    </message>
    <message>
        <source>This is not the label just printed (expected {0}): check the label on the unit.</source>
        <translation>这不是刚打印的标签（应为 {0}）：请检查产品上的标签。</translation>
    </message>
    <message>
        <source>Work order {0} makes {1}, which has no serial numbers: there is nothing to label.</source>
        <translation>工单 {0} 生产的 {1} 不按序列号管理：没有需要打印的标签。</translation>
    </message>
    <message>
        <source>Work order {0}: {1} serials still to create. F5 prints the next label.</source>
        <translation>工单 {0}：还有 {1} 个序列号待生成。按 F5 打印下一张标签。</translation>
    </message>
    <message>
        <source>{0} has no label yet: there is nothing to reprint.</source>
        <translation>{0} 还没有打印过标签：无可补打。</translation>
    </message>
    <message>
        <source>{0} of {1} labels did not print: check the printer, then F7.</source>
        <translation>{1} 张标签中有 {0} 张未打印：请检查打印机，然后按 F7。</translation>
    </message>
    <message>
        <source>{0} of {1} labels did not print: {2}</source>
        <translation>{1} 张标签中有 {0} 张未打印：{2}</translation>
    </message>
    <message>
        <source>{0} serials created and labelled: stick each label on its unit, then scan them back.</source>
        <translation>已生成 {0} 个序列号并打印标签：请逐一贴到产品上，然后依次回扫。</translation>
    </message>
    <message>
        <source>{0}: type why its label is printed again, then Enter.</source>
        <translation>{0}：请输入补打标签的原因，然后按回车。</translation>
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
    <name>LotFlow</name>
    <message>
        <source>Choose the reason for the scrap first.</source>
        <translation>请先选择报废原因。</translation>
    </message>
    <message>
        <source>Completing a lot is for a work order of lot-tracked items.</source>
        <translation>批次入库仅适用于按批次管理物料的工单。</translation>
    </message>
    <message>
        <source>Fed {0} {1} of lot {2} ({3})</source>
        <translation>已投料 {0} {1}，批次 {2}（{3}）</translation>
    </message>
    <message>
        <source>Lot {0} into stock: {1} {2}. Its label is printing.</source>
        <translation>批次 {0} 已入库：{1} {2}。正在打印标签。</translation>
    </message>
    <message>
        <source>Nothing is ready to go into stock: report good quantity at every mandatory step first.</source>
        <translation>没有可入库的数量：请先在每道必经工序报工合格数。</translation>
    </message>
    <message>
        <source>Put {0} {1} of {2} {3} into stock as a new lot? This cannot be undone.</source>
        <translation>将 {0} {1} 的 {2} {3} 作为新批次入库？此操作不可撤销。</translation>
    </message>
    <message>
        <source>Type the good quantity, the scrap quantity or both first.</source>
        <translation>请先输入合格数、报废数或两者。</translation>
    </message>
    <message>
        <source>{0} is not a material lot: scan the lot&apos;s label.</source>
        <translation>{0} 不是物料批次：请扫描批次标签。</translation>
    </message>
    <message>
        <source>{0} is not a quantity: type a number such as 12.5.</source>
        <translation>{0} 不是有效数量：请输入数字，例如 12.5。</translation>
    </message>
    <message>
        <source>{0}: {1} good and {2} scrap reported; {3} good and {4} scrap {5} in all.</source>
        <translation>{0}：已报工合格 {1}、报废 {2}；累计合格 {3}、报废 {4} {5}。</translation>
    </message>
    <message>
        <source>{0}: {1} is fed in full.</source>
        <translation>{0}：{1} 已投料齐套。</translation>
    </message>
    <message>
        <source>{0}: {1} {2} of {3} still needed.</source>
        <translation>{0}：{3} 还需 {1} {2}。</translation>
    </message>
</context>
<context>
    <name>LotStepPanel</name>
    <message>
        <source>Good</source>
        <translation>合格</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Report (Enter)</source>
        <translation>报工（回车）</translation>
    </message>
    <message>
        <source>Scrap</source>
        <translation>报废</translation>
    </message>
    <message>
        <source>— scrap reason —</source>
        <translation>— 报废原因 —</translation>
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
        <source>Item</source>
        <translation>物料</translation>
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
        <source>Looking up {0}…</source>
        <translation>正在查询 {0}…</translation>
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
        <source>Plant overview</source>
        <translation>工厂概览</translation>
    </message>
    <message>
        <source>Shipment</source>
        <translation>出货单</translation>
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
        <source>Unit</source>
        <translation>单元</translation>
    </message>
    <message>
        <source>Units by status</source>
        <translation>按状态统计的单元</translation>
    </message>
    <message>
        <source>Work order</source>
        <translation>工单</translation>
    </message>
</context>
<context>
    <name>PackingPanel</name>
    <message>
        <source>A label did not print: check the printer, then F7 sends it again.</source>
        <translation>有标签未打印：请检查打印机，然后按 F7 重发。</translation>
    </message>
    <message>
        <source>Batch (F6)</source>
        <translation>批量打印 (F6)</translation>
    </message>
    <message>
        <source>Carton {0} · {1}</source>
        <translation>箱 {0} · {1}</translation>
    </message>
    <message>
        <source>Carton: none open, the next unit opens one</source>
        <translation>箱：无开箱，扫下一个产品时自动开箱</translation>
    </message>
    <message>
        <source>Close (F8)</source>
        <translation>封箱 (F8)</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <source>In carton {0}</source>
        <translation>箱 {0} 内</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Labels owed</source>
        <translation>待处理标签</translation>
    </message>
    <message>
        <source>Next label (F5)</source>
        <translation>下一张标签 (F5)</translation>
    </message>
    <message>
        <source>Nothing open</source>
        <translation>无开启的箱或托盘</translation>
    </message>
    <message>
        <source>On pallet {0}</source>
        <translation>托盘 {0} 上</translation>
    </message>
    <message>
        <source>Packing at {0}</source>
        <translation>包装站 {0}</translation>
    </message>
    <message>
        <source>Pallet {0} · {1}</source>
        <translation>托盘 {0} · {1}</translation>
    </message>
    <message>
        <source>Pallet: none open, the next closed carton opens one</source>
        <translation>托盘：无开托，扫下一个已封箱时自动开托</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Repack (F11)</source>
        <translation>换箱 (F11)</translation>
    </message>
    <message>
        <source>Repack: scan the unit to move into the open carton or pallet (#CANCEL: back).</source>
        <translation>换箱：请扫描要换入当前箱或托盘的产品（#CANCEL：返回）。</translation>
    </message>
    <message>
        <source>Reprint (F10)</source>
        <translation>补打 (F10)</translation>
    </message>
    <message>
        <source>Reprint: scan the label to print again (#CANCEL: back).</source>
        <translation>补打：请扫描要补打的标签（#CANCEL：返回）。</translation>
    </message>
    <message>
        <source>Resend (F7)</source>
        <translation>重发 (F7)</translation>
    </message>
    <message>
        <source>Scan a unit to pack, a closed carton for the pallet, or a work order to label.</source>
        <translation>请扫描要装箱的产品、要装托的已封箱，或要打印标签的工单。</translation>
    </message>
    <message>
        <source>Scan a unit to pack, or F5 for the next label of {0}.</source>
        <translation>请扫描要装箱的产品，或按 F5 打印 {0} 的下一张标签。</translation>
    </message>
    <message>
        <source>Serials to create</source>
        <translation>生成序列号数量</translation>
    </message>
    <message>
        <source>Serials: {0} of {1} created · {2} labelled · {3} scanned back · {4} still to create</source>
        <translation>序列号：已生成 {0}/{1} · 已打标签 {2} · 已回扫 {3} · 待生成 {4}</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Stick the label on its unit and scan it back: {0} ({1} more after it).</source>
        <translation>请将标签贴到产品上并回扫：{0}（之后还有 {1} 张）。</translation>
    </message>
    <message>
        <source>Stick the label on its unit and scan it back: {0}.</source>
        <translation>请将标签贴到产品上并回扫：{0}。</translation>
    </message>
    <message>
        <source>Type how many serials to create, then Enter.</source>
        <translation>请输入要生成的序列号数量，然后按回车。</translation>
    </message>
    <message>
        <source>Type how much of {0} goes into the carton, then Enter.</source>
        <translation>请输入 {0} 装入本箱的数量，然后按回车。</translation>
    </message>
    <message>
        <source>Type why the label of {0} is printed again, then Enter.</source>
        <translation>请输入补打 {0} 标签的原因，然后按回车。</translation>
    </message>
    <message>
        <source>Type why {0} comes out of its container, then Enter.</source>
        <translation>请输入 {0} 拆箱的原因，然后按回车。</translation>
    </message>
    <message>
        <source>Type why {0} moves into {1}, then Enter.</source>
        <translation>请输入 {0} 换入 {1} 的原因，然后按回车。</translation>
    </message>
    <message>
        <source>Unpack (F9)</source>
        <translation>拆箱 (F9)</translation>
    </message>
    <message>
        <source>Unpack: scan the unit to take out of its container (#CANCEL: back).</source>
        <translation>拆箱：请扫描要取出的产品（#CANCEL：返回）。</translation>
    </message>
    <message>
        <source>Work order {0} · {1}</source>
        <translation>工单 {0} · {1}</translation>
    </message>
    <message>
        <source>carton</source>
        <translation>箱</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>空</translation>
    </message>
    <message>
        <source>lot</source>
        <translation>批次</translation>
    </message>
    <message>
        <source>not printed: F7</source>
        <translation>未打印：按 F7</translation>
    </message>
    <message>
        <source>serial</source>
        <translation>序列号</translation>
    </message>
    <message>
        <source>to scan back</source>
        <translation>待回扫</translation>
    </message>
</context>
<context>
    <name>PackingView</name>
    <message>
        <source>Answer the question first: #CONFIRM or #CANCEL.</source>
        <translation>请先回答提问：#CONFIRM 或 #CANCEL。</translation>
    </message>
    <message>
        <source>Cancelled: nothing was recorded.</source>
        <translation>已取消：未记录任何内容。</translation>
    </message>
    <message>
        <source>Carton {0} closed and labelled.</source>
        <translation>箱 {0} 已封箱并打印标签。</translation>
    </message>
    <message>
        <source>Carton {0} is closed, but its label did not print: check the printer, then F7.</source>
        <translation>箱 {0} 已封箱，但标签未打印：请检查打印机，然后按 F7。</translation>
    </message>
    <message>
        <source>Carton {0} is closed, but its label did not print: {1}</source>
        <translation>箱 {0} 已封箱，但标签未打印：{1}</translation>
    </message>
    <message>
        <source>Carton {0} is on pallet {1}: {2} of {3}.</source>
        <translation>箱 {0} 已装托盘 {1}：{2}/{3}。</translation>
    </message>
    <message>
        <source>Close carton {0} with {1} of {2}?</source>
        <translation>箱 {0} 只装了 {1}/{2}，确定封箱吗？</translation>
    </message>
    <message>
        <source>Close pallet {0} with {1} of {2}?</source>
        <translation>托盘 {0} 只装了 {1}/{2}，确定封托吗？</translation>
    </message>
    <message>
        <source>Lot {0}: {1} available. Type how much goes into the carton, then Enter.</source>
        <translation>批次 {0}：可用 {1}。请输入装入本箱的数量，然后按回车。</translation>
    </message>
    <message>
        <source>Move {0} into {1}? Reason: {2}</source>
        <translation>确定将 {0} 换入 {1} 吗？原因：{2}</translation>
    </message>
    <message>
        <source>Packing</source>
        <translation>包装</translation>
    </message>
    <message>
        <source>Pallet {0} closed and labelled.</source>
        <translation>托盘 {0} 已封托并打印标签。</translation>
    </message>
    <message>
        <source>Pallet {0} is closed, but its label did not print: check the printer, then F7.</source>
        <translation>托盘 {0} 已封托，但标签未打印：请检查打印机，然后按 F7。</translation>
    </message>
    <message>
        <source>Pallet {0} is closed, but its label did not print: {1}</source>
        <translation>托盘 {0} 已封托，但标签未打印：{1}</translation>
    </message>
    <message>
        <source>Scan the unit first, or scan #CANCEL.</source>
        <translation>请先扫描产品，或扫 #CANCEL。</translation>
    </message>
    <message>
        <source>Take {0} out of its container? Reason: {1}</source>
        <translation>确定将 {0} 拆箱取出吗？原因：{1}</translation>
    </message>
    <message>
        <source>There is no open carton here to move {0} into: pack a unit to open one.</source>
        <translation>本站没有开启的箱可换入 {0}：请先装箱一个产品以开箱。</translation>
    </message>
    <message>
        <source>There is no open carton to close.</source>
        <translation>没有可封的开启箱。</translation>
    </message>
    <message>
        <source>There is no open pallet here to move {0} onto: pack a closed carton to open one.</source>
        <translation>本站没有开启的托盘可换入 {0}：请先装托一个已封箱以开托。</translation>
    </message>
    <message>
        <source>There is no open pallet to close.</source>
        <translation>没有可封的开启托盘。</translation>
    </message>
    <message>
        <source>There is nothing to confirm.</source>
        <translation>没有需要确认的内容。</translation>
    </message>
    <message>
        <source>Type a quantity greater than zero.</source>
        <translation>请输入大于零的数量。</translation>
    </message>
    <message>
        <source>Type how many serials first (Enter), or scan #CANCEL.</source>
        <translation>请先输入序列号数量（回车），或扫 #CANCEL。</translation>
    </message>
    <message>
        <source>Type how many serials: a whole number, 1 or more.</source>
        <translation>请输入序列号数量：1 或以上的整数。</translation>
    </message>
    <message>
        <source>Type the quantity first (Enter), or scan #CANCEL.</source>
        <translation>请先输入数量（回车），或扫 #CANCEL。</translation>
    </message>
    <message>
        <source>Type the reason first (Enter), or scan #CANCEL.</source>
        <translation>请先输入原因（回车），或扫 #CANCEL。</translation>
    </message>
    <message>
        <source>Type the reason first.</source>
        <translation>请先输入原因。</translation>
    </message>
    <message>
        <source>Wait: the last scan is still being recorded.</source>
        <translation>请稍候：上一次扫描仍在记录中。</translation>
    </message>
    <message>
        <source>{0} does nothing on the packing screen.</source>
        <translation>{0} 在装箱界面不起作用。</translation>
    </message>
    <message>
        <source>{0} is neither a unit nor a work order: scan a product, a carton or a work order.</source>
        <translation>{0} 既不是产品也不是工单：请扫描产品、箱或工单。</translation>
    </message>
    <message>
        <source>{0} is not a unit: scan the unit itself.</source>
        <translation>{0} 不是产品：请扫描产品本身。</translation>
    </message>
    <message>
        <source>{0} labels left without their scan-back: they are asked for again at the next login.</source>
        <translation>{0} 张标签未回扫：下次登录时将再次要求回扫。</translation>
    </message>
    <message>
        <source>{0} moved into {1}: {2} of {3}.</source>
        <translation>{0} 已换入 {1}：{2}/{3}。</translation>
    </message>
    <message>
        <source>{0} packed: carton {1} holds {2} of {3}.</source>
        <translation>{0} 已装箱：箱 {1} 已装 {2}/{3}。</translation>
    </message>
    <message>
        <source>{0} taken out of {1}: {2} left in it.</source>
        <translation>{0} 已从 {1} 取出：剩余 {2}。</translation>
    </message>
    <message>
        <source>{0}: type why it comes out, then Enter.</source>
        <translation>{0}：请输入拆箱原因，然后按回车。</translation>
    </message>
    <message>
        <source>{0}: type why it moves into {1}, then Enter.</source>
        <translation>{0}：请输入换入 {1} 的原因，然后按回车。</translation>
    </message>
</context>
<context>
    <name>ProductionView</name>
    <message>
        <source>Answer the question first: #CONFIRM or Enter for yes, #CANCEL or Esc for no.</source>
        <translation>请先回答提问：#CONFIRM 或回车表示是，#CANCEL 或 Esc 表示否。</translation>
    </message>
    <message>
        <source>Answer the question: Enter or #CONFIRM for yes, Esc or #CANCEL for no.</source>
        <translation>请先回答提问：回车或 #CONFIRM 表示是，Esc 或 #CANCEL 表示否。</translation>
    </message>
    <message>
        <source>Bill of materials</source>
        <translation>物料清单（BOM）</translation>
    </message>
    <message>
        <source>Cleared: nothing was recorded.</source>
        <translation>已清除：未记录任何内容。</translation>
    </message>
    <message>
        <source>F1 feed · F3/F4 steps · Esc clears</source>
        <translation>F1 投料 · F3/F4 切换工序 · Esc 清除</translation>
    </message>
    <message>
        <source>Feed material (F1)</source>
        <translation>投料 (F1)</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>Nothing to clear.</source>
        <translation>没有需要清除的内容。</translation>
    </message>
    <message>
        <source>Nothing to confirm in feed mode: scan a material lot to feed it.</source>
        <translation>投料模式下无需确认：请扫描物料批次进行投料。</translation>
    </message>
    <message>
        <source>Production</source>
        <translation>生产（投料/报工）</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>工艺路线</translation>
    </message>
    <message>
        <source>Scan a material lot to feed it</source>
        <translation>请扫描要投料的物料批次</translation>
    </message>
    <message>
        <source>Scan a work order</source>
        <translation>请扫描工单</translation>
    </message>
    <message>
        <source>Scan a work order first.</source>
        <translation>请先扫描工单。</translation>
    </message>
    <message>
        <source>Scan a work order first: {0} is not one.</source>
        <translation>请先扫描工单：{0} 不是工单。</translation>
    </message>
    <message>
        <source>Scan into {0}: {1}</source>
        <translation>请扫入 {0}：{1}</translation>
    </message>
    <message>
        <source>Scan the material lot to feed {0} of</source>
        <translation>请扫描要投料 {0} 的物料批次</translation>
    </message>
    <message>
        <source>Work order {0}: {1} {2} {3} {4}, {5}.</source>
        <translation>工单 {0}：{1} {2} {3} {4}，{5}。</translation>
    </message>
    <message>
        <source>{0} (optional)</source>
        <translation>{0}（可选）</translation>
    </message>
    <message>
        <source>{0} does nothing on the production screen.</source>
        <translation>{0} 在生产界面上无效。</translation>
    </message>
    <message>
        <source>{0} is reported with quantities, not scans: type them and press Enter (F1 feeds).</source>
        <translation>{0} 按数量报工，无需扫码：输入数量后按回车（F1 投料）。</translation>
    </message>
    <message>
        <source>{0}: press Enter to record it</source>
        <translation>{0}：按回车记录</translation>
    </message>
    <message>
        <source>{0}: scan a unit</source>
        <translation>{0}：请扫描产品序列号</translation>
    </message>
    <message>
        <source>{0}: scan the unit that FAILS</source>
        <translation>{0}：请扫描判为不合格的产品</translation>
    </message>
    <message>
        <source>{0}: type the good and scrap quantities, then Enter</source>
        <translation>{0}：输入合格数和报废数，然后按回车</translation>
    </message>
    <message>
        <source>{0}: type the measurements, then Enter</source>
        <translation>{0}：输入测量值，然后按回车</translation>
    </message>
</context>
<context>
    <name>ReceivingView</name>
    <message>
        <source>&amp;Expires on</source>
        <translation>有效期至(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Item</source>
        <translation>物料(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Made on</source>
        <translation>生产日期(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Note / reason</source>
        <translation>备注/原因(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Packages</source>
        <translation>件数(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Quantity</source>
        <translation>数量(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Supplier</source>
        <translation>供应商(&amp;S)</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>Answer the question first. Yes: Enter or #CONFIRM. No: Esc or #CANCEL.</source>
        <translation>请先回答问题。是：回车或 #CONFIRM；否：Esc 或 #CANCEL。</translation>
    </message>
    <message>
        <source>Choose the item first (or scan its code), then scan the lot {0} again.</source>
        <translation>请先选择物料（或扫描物料编码），再重新扫描批次 {0}。</translation>
    </message>
    <message>
        <source>Choose the item first, or scan the supplier&apos;s label.</source>
        <translation>请先选择物料，或扫描供应商标签。</translation>
    </message>
    <message>
        <source>Choose the supplier first, or scan its code on the delivery note.</source>
        <translation>请先选择供应商，或扫描送货单上的供应商编码。</translation>
    </message>
    <message>
        <source>Clear (Esc)</source>
        <translation>清空（Esc）</translation>
    </message>
    <message>
        <source>Delivery from {0}</source>
        <translation>到货：{0}</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <source>From the label: {0}.</source>
        <translation>已从标签读取：{0}。</translation>
    </message>
    <message>
        <source>Is this another package with the same label (supplier lot {0}, {1} {2})? Yes receives it too; no if the label was scanned twice.</source>
        <translation>这是另一件标签相同的包装吗（供应商批号 {0}，{1} {2}）？是：一并收货；否：标签被重复扫描。</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>物料</translation>
    </message>
    <message>
        <source>Item {0}: scan or type the supplier lot.</source>
        <translation>物料 {0}：请扫描或输入供应商批次。</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation>批次</translation>
    </message>
    <message>
        <source>Lot {0} rejected: it can never be used.</source>
        <translation>批次 {0} 已判退，永远不能使用。</translation>
    </message>
    <message>
        <source>Lot {0} released: it can be used now.</source>
        <translation>批次 {0} 已放行，现在可以使用。</translation>
    </message>
    <message>
        <source>Lot {0} selected for inspection: release it (F7) or reject it (F8).</source>
        <translation>已选择批次 {0} 进行来料检验：放行（F7）或判退（F8）。</translation>
    </message>
    <message>
        <source>New delivery</source>
        <translation>新到货</translation>
    </message>
    <message>
        <source>No item has the GTIN {0}: choose the item, then scan the lot barcode.</source>
        <translation>没有物料使用 GTIN {0}：请先选择物料，再扫描批次条码。</translation>
    </message>
    <message>
        <source>Optional to release, required to reject</source>
        <translation>放行时可不填，判退时必填</translation>
    </message>
    <message>
        <source>Press Enter or scan #CONFIRM to receive.</source>
        <translation>按回车或扫描 #CONFIRM 收货。</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Quantity received</source>
        <translation>收货数量</translation>
    </message>
    <message>
        <source>Receive (Enter)</source>
        <translation>收货（回车）</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>收货时间</translation>
    </message>
    <message>
        <source>Received {0} lots, {1} {2} of {3} in all, {4}: {5}.</source>
        <translation>已收货 {0} 个批次，{3} 共 {1} {2}，{4}：{5}。</translation>
    </message>
    <message>
        <source>Received {0}: {1} {2} of {3}, {4}.</source>
        <translation>已收货 {0}：{3} {1} {2}，{4}。</translation>
    </message>
    <message>
        <source>Receiving</source>
        <translation>收货</translation>
    </message>
    <message>
        <source>Reject (F8)</source>
        <translation>判退（F8）</translation>
    </message>
    <message>
        <source>Reject lot {0} ({1})? It can never be used.</source>
        <translation>判退批次 {0}（{1}）？判退后将永远不能使用。</translation>
    </message>
    <message>
        <source>Release (F7)</source>
        <translation>放行（F7）</translation>
    </message>
    <message>
        <source>Releasing and rejecting lots is for quality inspectors.</source>
        <translation>只有质检员可以放行或判退批次。</translation>
    </message>
    <message>
        <source>Scan a label or choose the item</source>
        <translation>扫描标签或选择物料</translation>
    </message>
    <message>
        <source>Scan a lot&apos;s label or choose it in the list to inspect it.</source>
        <translation>扫描批次标签或在列表中选择批次进行检验。</translation>
    </message>
    <message>
        <source>Scan or choose the supplier</source>
        <translation>扫描或选择供应商</translation>
    </message>
    <message>
        <source>Scan or type the supplier lot first.</source>
        <translation>请先扫描或输入供应商批次。</translation>
    </message>
    <message>
        <source>Scan or type the supplier lot.</source>
        <translation>请扫描或输入供应商批次。</translation>
    </message>
    <message>
        <source>Scan or type the supplier&apos;s lot</source>
        <translation>扫描或输入供应商批次</translation>
    </message>
    <message>
        <source>Scan the lot&apos;s label or choose it in the list first.</source>
        <translation>请先扫描批次标签，或在列表中选择批次。</translation>
    </message>
    <message>
        <source>Scan the supplier&apos;s code on the delivery note, or choose the supplier.</source>
        <translation>请扫描送货单上的供应商编码，或选择供应商。</translation>
    </message>
    <message>
        <source>Scan the supplier&apos;s label, or choose the item.</source>
        <translation>请扫描供应商标签，或选择物料。</translation>
    </message>
    <message>
        <source>Selected: lot {0}</source>
        <translation>已选择：批次 {0}</translation>
    </message>
    <message>
        <source>Selected: lot {0}, {1} {2} of {3} {4}</source>
        <translation>已选择：批次 {0}，{3} {4} {1} {2}</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Still busy with the last scan or action: wait for its answer, then try again.</source>
        <translation>仍在处理上一次扫描或操作：请等它的结果出来后再试。</translation>
    </message>
    <message>
        <source>Supplier &amp;lot</source>
        <translation>供应商批次(&amp;L)</translation>
    </message>
    <message>
        <source>Supplier / lot</source>
        <translation>供应商/批次</translation>
    </message>
    <message>
        <source>Supplier lot {0} was received before ({1} lots: {2}). Filled in: receive it only if this is another delivery.</source>
        <translation>供应商批次 {0} 之前已收过货（{1} 个批次：{2}）。已填入：仅当这是另一批到货时才再收货。</translation>
    </message>
    <message>
        <source>Supplier lot {0}.</source>
        <translation>供应商批次 {0}。</translation>
    </message>
    <message>
        <source>Supplier {0}.</source>
        <translation>供应商 {0}。</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Today&apos;s receipts ({0})</source>
        <translation>今日收货（{0}）</translation>
    </message>
    <message>
        <source>Type the quantity received and press Enter.</source>
        <translation>请输入收货数量并按回车。</translation>
    </message>
    <message>
        <source>Type the quantity received first.</source>
        <translation>请先输入收货数量。</translation>
    </message>
    <message>
        <source>Type why lot {0} is rejected first.</source>
        <translation>请先输入判退批次 {0} 的原因。</translation>
    </message>
    <message>
        <source>Waiting for inspection ({0})</source>
        <translation>待检批次（{0}）</translation>
    </message>
    <message>
        <source>YYYY-MM-DD, optional</source>
        <translation>年-月-日，可不填</translation>
    </message>
    <message>
        <source>Yes: Enter or #CONFIRM. No: Esc or #CANCEL.</source>
        <translation>是：回车或 #CONFIRM；否：Esc 或 #CANCEL。</translation>
    </message>
    <message>
        <source>expires {0}</source>
        <translation>有效期至 {0}</translation>
    </message>
    <message>
        <source>in quarantine until quality releases it</source>
        <translation>待检，质量放行后方可使用</translation>
    </message>
    <message>
        <source>incoming inspection</source>
        <translation>需来料检验</translation>
    </message>
    <message>
        <source>lot {0}</source>
        <translation>批次 {0}</translation>
    </message>
    <message>
        <source>no incoming inspection</source>
        <translation>免检</translation>
    </message>
    <message>
        <source>quantity {0}</source>
        <translation>数量 {0}</translation>
    </message>
    <message>
        <source>released for use</source>
        <translation>已放行，可以使用</translation>
    </message>
    <message>
        <source>shelf life {0} days</source>
        <translation>保质期 {0} 天</translation>
    </message>
    <message>
        <source>{0} does nothing on the receiving screen.</source>
        <translation>{0} 在收货界面上无效。</translation>
    </message>
    <message>
        <source>{0} is not a date: type it as year-month-day, 2025-03-31.</source>
        <translation>{0} 不是日期：请按年-月-日输入，如 2025-03-31。</translation>
    </message>
    <message>
        <source>{0} is not a purchased material: it is not received here.</source>
        <translation>{0} 不是外购物料，不在此收货。</translation>
    </message>
    <message>
        <source>{0} is not a quantity: type a number.</source>
        <translation>{0} 不是数量：请输入数字。</translation>
    </message>
    <message>
        <source>{0} is one of our lots, received already: scan the supplier&apos;s label or lot.</source>
        <translation>{0} 是本厂批次，已收货：请扫描供应商的标签或批次。</translation>
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
    <name>SerialFlow</name>
    <message>
        <source>Choose why the unit fails first.</source>
        <translation>请先选择不合格原因。</translation>
    </message>
    <message>
        <source>Make {0} serials of {1} for {2} and print their labels?</source>
        <translation>为工单 {2} 生成 {0} 个 {1} 序列号并打印标签？</translation>
    </message>
    <message>
        <source>Making serials is for a work order of serialized items.</source>
        <translation>生成序列号仅适用于按序列号管理产品的工单。</translation>
    </message>
    <message>
        <source>Measure {0} again and press Enter ({1} more re-measures allowed).</source>
        <translation>请重新测量 {0} 并按 Enter（还可重测 {1} 次）。</translation>
    </message>
    <message>
        <source>Measure {0} again and press Enter: out of limits again fails it.</source>
        <translation>请重新测量 {0} 并按 Enter：再次超限即判为不合格。</translation>
    </message>
    <message>
        <source>Recorded: {0} FAILED {1} ({2}). Set it aside.</source>
        <translation>已记录：{0} 在 {1} 不合格（{2}）。请放到不良品区。</translation>
    </message>
    <message>
        <source>Scan a unit first.</source>
        <translation>请先扫描产品序列号。</translation>
    </message>
    <message>
        <source>Serial {0} belongs to work order {1}, not to {2}.</source>
        <translation>序列号 {0} 属于工单 {1}，不属于 {2}。</translation>
    </message>
    <message>
        <source>Type every measurement first.</source>
        <translation>请先输入所有测量值。</translation>
    </message>
    <message>
        <source>{0} ({1} of {2} in)</source>
        <translation>{0}（已装 {1}/{2}）</translation>
    </message>
    <message>
        <source>{0} at {1}: type the measurements, then Enter.</source>
        <translation>{0} 在 {1}：输入测量值，然后按回车。</translation>
    </message>
    <message>
        <source>{0} fitted into {1} ({2} of {3}).</source>
        <translation>{0} 已装入 {1}（{2}/{3}）。</translation>
    </message>
    <message>
        <source>{0} fitted into {1}. {2}</source>
        <translation>{0} 已装入 {1}。{2}</translation>
    </message>
    <message>
        <source>{0} is not a number of serials: type 1 or more.</source>
        <translation>{0} 不是有效的序列号数量：请输入 1 或以上。</translation>
    </message>
    <message>
        <source>{0} is not a number.</source>
        <translation>{0} 不是数字。</translation>
    </message>
    <message>
        <source>{0} is not a serial: scan the unit&apos;s serial label.</source>
        <translation>{0} 不是序列号：请扫描产品的序列号标签。</translation>
    </message>
    <message>
        <source>{0} is still open: press Enter to record it, or scan #CANCEL to drop it.</source>
        <translation>{0} 尚未完成：按回车记录，或扫描 #CANCEL 放弃。</translation>
    </message>
    <message>
        <source>{0} passed {1}. Next: {2}.</source>
        <translation>{0} 通过 {1}。下一工序：{2}。</translation>
    </message>
    <message>
        <source>{0} passed {1}: every mandatory step is done.</source>
        <translation>{0} 通过 {1}：所有必经工序已完成。</translation>
    </message>
    <message>
        <source>{0} serials made, {1} to {2}: their labels are printing.</source>
        <translation>已生成 {0} 个序列号，{1} 至 {2}：正在打印标签。</translation>
    </message>
    <message>
        <source>{0} {1} is above its upper limit {2}</source>
        <translation>{0} {1} 高于上限 {2}</translation>
    </message>
    <message>
        <source>{0} {1} is below its lower limit {2}</source>
        <translation>{0} {1} 低于下限 {2}</translation>
    </message>
    <message>
        <source>{0} {1} is outside its limits</source>
        <translation>{0} {1} 超出限值</translation>
    </message>
    <message>
        <source>{0}. {1} F9 fails it now.</source>
        <translation>{0}。{1}按 F9 立即判为不合格。</translation>
    </message>
    <message>
        <source>{0}: now scan {1}.</source>
        <translation>{0}：请扫描 {1}。</translation>
    </message>
</context>
<context>
    <name>SerialStepPanel</name>
    <message>
        <source>FAIL armed (F9)</source>
        <translation>已设为不合格 (F9)</translation>
    </message>
    <message>
        <source>Fail (F9)</source>
        <translation>判不合格 (F9)</translation>
    </message>
    <message>
        <source>No unit scanned</source>
        <translation>尚未扫描产品</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Record (Enter)</source>
        <translation>记录（回车）</translation>
    </message>
    <message>
        <source>Unit {0} · every mandatory step passed</source>
        <translation>产品 {0} · 所有必经工序已通过</translation>
    </message>
    <message>
        <source>Unit {0} · next step {1}</source>
        <translation>产品 {0} · 下一工序 {1}</translation>
    </message>
    <message>
        <source>{0}: {1} of {2} scanned in {3}</source>
        <translation>{0}：已扫入 {1}/{2} {3}</translation>
    </message>
    <message>
        <source>— reason —</source>
        <translation>— 原因 —</translation>
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
        <translation>出货</translation>
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
    <name>ShippingView</name>
    <message>
        <source>#CLOSE closes a carton at the packing station: nothing to close here.</source>
        <translation>#CLOSE 用于包装站封箱：出货站没有可封的箱。</translation>
    </message>
    <message>
        <source>#CONFIRM-SHORT answers only the question about a short shipment: none is asked.</source>
        <translation>#CONFIRM-SHORT 只用于回答短装出货的提问：当前没有此提问。</translation>
    </message>
    <message>
        <source>%p% scanned</source>
        <translation>已扫描 %p%</translation>
    </message>
    <message>
        <source>%p% shipped</source>
        <translation>已出货 %p%</translation>
    </message>
    <message>
        <source>1 carton</source>
        <translation>1 箱</translation>
    </message>
    <message>
        <source>1 unit</source>
        <translation>1 件</translation>
    </message>
    <message>
        <source>Added {0}.</source>
        <translation>已加入 {0}。</translation>
    </message>
    <message>
        <source>Added {0}. {1}: {2} of {3} scanned.</source>
        <translation>已加入 {0}。{1}：已扫描 {2} / {3}。</translation>
    </message>
    <message>
        <source>Answer the question first: Enter or #CONFIRM for yes, Esc or #CANCEL for no.</source>
        <translation>请先回答问题：Enter 或 #CONFIRM 表示是，Esc 或 #CANCEL 表示否。</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <source>Contents</source>
        <translation>内含</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Customer {0} · reference {1} · {2} · scanned: {3}</source>
        <translation>客户 {0} · 订单参考 {1} · {2} · 已扫描：{3}</translation>
    </message>
    <message>
        <source>Everything ordered is scanned: ship with F10 or #CONFIRM.</source>
        <translation>订购数量已全部扫描：按 F10 或扫描 #CONFIRM 出货。</translation>
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
        <source>Lot &amp;quantity</source>
        <translation>批次数量(&amp;Q)</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>No open shipments: scan a shipment&apos;s code.</source>
        <translation>没有未出货的出货单：请扫描出货单号。</translation>
    </message>
    <message>
        <source>Not shipped: nothing was recorded.</source>
        <translation>未出货：没有记录任何内容。</translation>
    </message>
    <message>
        <source>Not shipped: type {0}, the total shipped, then press Enter.</source>
        <translation>未出货：请输入出货总数 {0}，然后按 Enter。</translation>
    </message>
    <message>
        <source>Not shipped: {0} is not the total shipped, {1}.</source>
        <translation>未出货：{0} 不是出货总数 {1}。</translation>
    </message>
    <message>
        <source>Nothing is scanned onto {0}: there is nothing to remove.</source>
        <translation>出货单 {0} 还没有扫描任何包装：没有可移除的。</translation>
    </message>
    <message>
        <source>Now scan the lot.</source>
        <translation>现在请扫描批次。</translation>
    </message>
    <message>
        <source>Open (Enter)</source>
        <translation>打开 (Enter)</translation>
    </message>
    <message>
        <source>Open shipments</source>
        <translation>未出货的出货单</translation>
    </message>
    <message>
        <source>Open shipments: {0}</source>
        <translation>未出货的出货单：{0}</translation>
    </message>
    <message>
        <source>Opened shipment {0} for {1}.</source>
        <translation>已打开出货单 {0}（客户 {1}）。</translation>
    </message>
    <message>
        <source>Ordered</source>
        <translation>订购</translation>
    </message>
    <message>
        <source>Ordered and scanned</source>
        <translation>订购与已扫描</translation>
    </message>
    <message>
        <source>Packing list (F9)</source>
        <translation>装箱单 (F9)</translation>
    </message>
    <message>
        <source>Packing list saved: {0}</source>
        <translation>装箱单已保存：{0}</translation>
    </message>
    <message>
        <source>Pick a shipment first: the packing list is a shipment&apos;s.</source>
        <translation>请先选择出货单：装箱单属于出货单。</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>订单参考</translation>
    </message>
    <message>
        <source>Remove (Del)</source>
        <translation>移除 (Del)</translation>
    </message>
    <message>
        <source>SHORT SHIPMENT. {0}. To ship only what is scanned, type {1} (the total shipped) and press Enter, or scan #CONFIRM-SHORT. Esc or #CANCEL: do not ship.</source>
        <translation>短装出货。{0}。如只出已扫描的货物，请输入 {1}（出货总数）并按 Enter，或扫描 #CONFIRM-SHORT。Esc 或 #CANCEL：不出货。</translation>
    </message>
    <message>
        <source>Scan or pick a shipment (arrows, then Enter).</source>
        <translation>请扫描或选择出货单（方向键选择，Enter 打开）。</translation>
    </message>
    <message>
        <source>Scan or pick a shipment first, then {0}.</source>
        <translation>请先扫描或选择出货单，再扫描 {0}。</translation>
    </message>
    <message>
        <source>Scan or pick a shipment first.</source>
        <translation>请先扫描或选择出货单。</translation>
    </message>
    <message>
        <source>Scan pallets, cartons, serials or lots. For part of a lot, type the quantity first.</source>
        <translation>请扫描托盘、箱、序列号或批次。只出部分批次时，请先输入数量。</translation>
    </message>
    <message>
        <source>Scan the unit to take off {0} (Esc: keep it).</source>
        <translation>请扫描要从 {0} 移除的包装（Esc：保留）。</translation>
    </message>
    <message>
        <source>Scanned</source>
        <translation>已扫描</translation>
    </message>
    <message>
        <source>Scanned / ordered</source>
        <translation>已扫描 / 订购</translation>
    </message>
    <message>
        <source>Scanned units</source>
        <translation>已扫描的包装</translation>
    </message>
    <message>
        <source>Ship (F10)</source>
        <translation>出货 (F10)</translation>
    </message>
    <message>
        <source>Ship everything ordered to {0}: {1}?</source>
        <translation>按订单全部出货给 {0}：{1}？</translation>
    </message>
    <message>
        <source>Shipment</source>
        <translation>出货单</translation>
    </message>
    <message>
        <source>Shipment {0} has left. F9 saves its packing list, F4 shows the open shipments.</source>
        <translation>出货单 {0} 已出货。按 F9 保存装箱单，按 F4 查看未出货的出货单。</translation>
    </message>
    <message>
        <source>Shipment {0} shipped to {1}: {2}.</source>
        <translation>出货单 {0} 已出货给 {1}：{2}。</translation>
    </message>
    <message>
        <source>Shipment {0} · {1}</source>
        <translation>出货单 {0} · {1}</translation>
    </message>
    <message>
        <source>Shipments (F4)</source>
        <translation>出货单列表 (F4)</translation>
    </message>
    <message>
        <source>Shipped. F9 saves the packing list.</source>
        <translation>已出货。按 F9 保存装箱单。</translation>
    </message>
    <message>
        <source>Shipping</source>
        <translation>出货</translation>
    </message>
    <message>
        <source>Shipping {0}…</source>
        <translation>正在出货 {0}…</translation>
    </message>
    <message>
        <source>Shipping: no shipment open</source>
        <translation>出货：未打开出货单</translation>
    </message>
    <message>
        <source>Short shipment: type {0} and press Enter, or scan #CONFIRM-SHORT, to ship it; Esc or #CANCEL not to.</source>
        <translation>短装出货：输入 {0} 并按 Enter，或扫描 #CONFIRM-SHORT，即出货；Esc 或 #CANCEL 则不出货。</translation>
    </message>
    <message>
        <source>Still busy with the last scan or action: wait for its answer, then try again.</source>
        <translation>仍在处理上一次扫描或操作：请等它的结果出来后再试。</translation>
    </message>
    <message>
        <source>Take {0} off shipment {1}?</source>
        <translation>从出货单 {1} 移除 {0}？</translation>
    </message>
    <message>
        <source>Writing the packing list of {0}…</source>
        <translation>正在生成 {0} 的装箱单…</translation>
    </message>
    <message>
        <source>carton</source>
        <translation>箱</translation>
    </message>
    <message>
        <source>lot</source>
        <translation>批次</translation>
    </message>
    <message>
        <source>open</source>
        <translation>未封箱</translation>
    </message>
    <message>
        <source>pallet</source>
        <translation>托盘</translation>
    </message>
    <message>
        <source>serial</source>
        <translation>序列号</translation>
    </message>
    <message>
        <source>shipped</source>
        <translation>出货</translation>
    </message>
    <message>
        <source>whole lot</source>
        <translation>整批</translation>
    </message>
    <message>
        <source>{0} cartons</source>
        <translation>{0} 箱</translation>
    </message>
    <message>
        <source>{0} in {1}</source>
        <translation>{1}，共 {0}</translation>
    </message>
    <message>
        <source>{0} is not a pallet, carton, serial or lot: scan what leaves.</source>
        <translation>{0} 不是托盘、箱、序列号或批次：请扫描要出货的包装。</translation>
    </message>
    <message>
        <source>{0} is not a quantity: type a number, or clear it.</source>
        <translation>{0} 不是数量：请输入数字，或清空。</translation>
    </message>
    <message>
        <source>{0} taken off shipment {1}.</source>
        <translation>{0} 已从出货单 {1} 移除。</translation>
    </message>
    <message>
        <source>{0} units</source>
        <translation>{0} 件</translation>
    </message>
    <message>
        <source>{0}: ordered {1}, scanned {2}</source>
        <translation>{0}：订购 {1}，已扫描 {2}</translation>
    </message>
</context>
<context>
    <name>SignatureDialog</name>
    <message>
        <source>&amp;PIN</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Quantity</source>
        <translation>数量(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>原因(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Sign</source>
        <translation>签名(&amp;S)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Electronic signature</source>
        <translation>电子签名</translation>
    </message>
    <message>
        <source>Empty: all of it</source>
        <translation>留空：全部</translation>
    </message>
    <message>
        <source>Enter the reason: it is recorded with your signature.</source>
        <translation>请输入原因：原因将与您的签名一并记录。</translation>
    </message>
    <message>
        <source>Enter your PIN to sign.</source>
        <translation>请输入您的密码进行签名。</translation>
    </message>
    <message>
        <source>Hold everything affected by {0} that has not shipped, been used up or scrapped: I confirm that none of it may be used, packed or shipped until it is released.</source>
        <translation>冻结受 {0} 影响且尚未出货、耗用或报废的全部单元：我确认在解除冻结之前，上述单元一律不得使用、包装或出货。</translation>
    </message>
    <message>
        <source>Hold {0} and everything made from it or packed in it: I confirm that none of it may be used, packed or shipped until it is released.</source>
        <translation>冻结 {0} 及由其制成或装入其中的全部物料：我确认在解除冻结之前，上述物料一律不得使用、包装或出货。</translation>
    </message>
    <message>
        <source>Hold {0}: I confirm that it may not be used, packed or shipped until it is released.</source>
        <translation>冻结 {0}：我确认在解除冻结之前，其不得使用、包装或出货。</translation>
    </message>
    <message>
        <source>Release {0} and everything held with it: I confirm that they may be used and shipped again.</source>
        <translation>解除冻结 {0} 及随其一并冻结的全部物料：我确认上述物料可以重新使用和出货。</translation>
    </message>
    <message>
        <source>Release {0}: I confirm that it may be used and shipped again.</source>
        <translation>解除冻结 {0}：我确认其可以重新使用和出货。</translation>
    </message>
    <message>
        <source>Scrap {0}: I confirm that it is destroyed and may never be used again.</source>
        <translation>报废 {0}：我确认其已销毁，永不再使用。</translation>
    </message>
    <message>
        <source>Signed by: {0}</source>
        <translation>签名人：{0}</translation>
    </message>
    <message>
        <source>Type the quantity as a number, or leave it empty for all of it.</source>
        <translation>请以数字输入数量，留空表示全部。</translation>
    </message>
    <message>
        <source>Why: a supplier notice, a complaint, a test result...</source>
        <translation>原因：供应商通知、客户投诉、检验结果……</translation>
    </message>
    <message>
        <source>Your PIN is your electronic signature. It is recorded with your name, the date and time and the meaning above, and binds you as your handwritten signature does.</source>
        <translation>您的密码即您的电子签名。它将与您的姓名、签名日期时间及上述签名含义一并记录，与您的手写签名具有同等效力。</translation>
    </message>
    <message>
        <source>Your login PIN</source>
        <translation>您的登录密码</translation>
    </message>
</context>
<context>
    <name>StationRunner</name>
    <message>
        <source>Connection lost: whether it was recorded is checked when the database is back.</source>
        <translation>连接中断：数据库恢复后将核实是否已记录。</translation>
    </message>
    <message>
        <source>Failed ({0}): nothing more was done. Tell a supervisor if it happens again.</source>
        <translation>失败（{0}）：未做任何进一步操作。如再次发生，请告知主管。</translation>
    </message>
    <message>
        <source>Label {0} NOT printed on {1}. Check the printer and resend it.</source>
        <translation>标签 {0} 未在打印机 {1} 上打印，请检查打印机后重新发送。</translation>
    </message>
    <message>
        <source>Label {0} NOT printed: check the preview folder and resend it.</source>
        <translation>标签 {0} 未打印：请检查预览文件夹后重新发送。</translation>
    </message>
    <message>
        <source>Label {0} printed on {1}.</source>
        <translation>标签 {0} 已在打印机 {1} 上打印。</translation>
    </message>
    <message>
        <source>Label {0} printed to a preview file.</source>
        <translation>标签 {0} 已打印到预览文件。</translation>
    </message>
    <message>
        <source>Nobody is logged in: log in first.</source>
        <translation>没有人登录：请先登录。</translation>
    </message>
    <message>
        <source>Saved {0}</source>
        <translation>已保存 {0}</translation>
    </message>
    <message>
        <source>The database is busy (another station holds what this needs): try again.</source>
        <translation>数据库忙（其他工位正占用所需数据）：请重试。</translation>
    </message>
</context>
<context>
    <name>StationShell</name>
    <message>
        <source>Database back online.</source>
        <translation>数据库已恢复连接。</translation>
    </message>
    <message>
        <source>The database has no active station {0}: IT sets this PC&apos;s station code (station.toml).</source>
        <translation>数据库中没有启用的工位 {0}：请 IT 设置本机的工位代码（station.toml）。</translation>
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
        <source>This station cannot work on this database: its schema is {0}, this station needs {1}. IT upgrades it with tracestation-admin db upgrade.</source>
        <translation>本工位无法使用此数据库：其结构版本为 {0}，本工位需要 {1}。请 IT 用 tracestation-admin db upgrade 升级。</translation>
    </message>
    <message>
        <source>Welcome, {0}</source>
        <translation>欢迎，{0}</translation>
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
    <name>StepsTable</name>
    <message>
        <source>Checks</source>
        <translation>检验项</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>工序</translation>
    </message>
    <message>
        <source>{0} (optional)</source>
        <translation>{0}（可选）</translation>
    </message>
    <message>
        <source>{0} + components</source>
        <translation>{0} + 扫入部件</translation>
    </message>
    <message>
        <source>{0} good · {1} scrap {2}</source>
        <translation>合格 {0} · 报废 {1} {2}</translation>
    </message>
    <message>
        <source>{0} passed · {1} failed</source>
        <translation>通过 {0} · 不合格 {1}</translation>
    </message>
</context>
<context>
    <name>SupervisorView</name>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Held {0} units; {1} left as they are (shipped, used or already held).</source>
        <translation>已冻结 {0} 个单元；{1} 个保持不变（已出货、已使用或已冻结）。</translation>
    </message>
    <message>
        <source>Hold everything affected that has not shipped…</source>
        <translation>冻结所有未出货的受影响单元…</translation>
    </message>
    <message>
        <source>Recall (F4)</source>
        <translation>召回（F4）</translation>
    </message>
    <message>
        <source>Signed and recorded for {0}.</source>
        <translation>已签名并记录：{0}。</translation>
    </message>
    <message>
        <source>Trace (F3)</source>
        <translation>追溯（F3）</translation>
    </message>
    <message>
        <source>Trace and recall</source>
        <translation>追溯与召回</translation>
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
        <source>Genealogy picture (Ctrl+3)</source>
        <translation>谱系图（Ctrl+3）</translation>
    </message>
    <message>
        <source>Hold…</source>
        <translation>冻结…</translation>
    </message>
    <message>
        <source>In container</source>
        <translation>所在容器</translation>
    </message>
    <message>
        <source>Inspections (Ctrl+5)</source>
        <translation>检验结果（Ctrl+5）</translation>
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
        <source>Release hold…</source>
        <translation>解除冻结…</translation>
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
        <source>Save as PNG</source>
        <translation>保存为 PNG</translation>
    </message>
    <message>
        <source>Save as SVG</source>
        <translation>保存为 SVG</translation>
    </message>
    <message>
        <source>Scrap…</source>
        <translation>报废…</translation>
    </message>
    <message>
        <source>Several units answer to this code: pick one (arrows, Enter)</source>
        <translation>此编码对应多个单元：请选择一个（方向键，回车）</translation>
    </message>
    <message>
        <source>Shipment</source>
        <translation>出货单</translation>
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
        <source>Timeline (Ctrl+4)</source>
        <translation>时间线（Ctrl+4）</translation>
    </message>
    <message>
        <source>Trace</source>
        <translation>追溯</translation>
    </message>
    <message>
        <source>Trace a code first: there is no picture to save.</source>
        <translation>请先追溯一个编码：没有可保存的图。</translation>
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
        <source>Where it came from (Ctrl+1)</source>
        <translation>来源（Ctrl+1）</translation>
    </message>
    <message>
        <source>Where it went (Ctrl+2)</source>
        <translation>去向（Ctrl+2）</translation>
    </message>
    <message>
        <source>Work order</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>and {0} more</source>
        <translation>另有 {0} 个</translation>
    </message>
    <message>
        <source>consumed</source>
        <comment>event role</comment>
        <translation>被消耗</translation>
    </message>
    <message>
        <source>container</source>
        <comment>event role</comment>
        <translation>容器</translation>
    </message>
    <message>
        <source>contains</source>
        <translation>包含</translation>
    </message>
    <message>
        <source>content</source>
        <comment>event role</comment>
        <translation>内容物</translation>
    </message>
    <message>
        <source>fail</source>
        <translation>不合格</translation>
    </message>
    <message>
        <source>hold</source>
        <translation>冻结</translation>
    </message>
    <message>
        <source>hold of a recall</source>
        <translation>召回冻结</translation>
    </message>
    <message>
        <source>in container</source>
        <comment>link level</comment>
        <translation>装于容器</translation>
    </message>
    <message>
        <source>lot</source>
        <comment>link level</comment>
        <translation>批次级</translation>
    </message>
    <message>
        <source>made</source>
        <comment>event role</comment>
        <translation>产出</translation>
    </message>
    <message>
        <source>may contain</source>
        <translation>可能包含</translation>
    </message>
    <message>
        <source>pass</source>
        <translation>合格</translation>
    </message>
    <message>
        <source>release</source>
        <translation>解除冻结</translation>
    </message>
    <message>
        <source>scrap</source>
        <translation>报废</translation>
    </message>
    <message>
        <source>signed by {0} ({1}), meaning: {2}</source>
        <translation>签名人 {0}（{1}），含义：{2}</translation>
    </message>
    <message>
        <source>the unit itself</source>
        <comment>event role</comment>
        <translation>本单元</translation>
    </message>
    <message>
        <source>unit</source>
        <comment>link level</comment>
        <translation>单件级</translation>
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
    <name>WorkOrderCard</name>
    <message>
        <source>Complete lot (F8)</source>
        <translation>批次入库 (F8)</translation>
    </message>
    <message>
        <source>How many</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>In stock {0} of {1} {2} · scrap {3} {2} · ready to complete {4} {2}</source>
        <translation>已入库 {0}/{1} {2} · 报废 {3} {2} · 可入库 {4} {2}</translation>
    </message>
    <message>
        <source>Make serials (F7)</source>
        <translation>生成序列号 (F7)</translation>
    </message>
    <message>
        <source>No work order</source>
        <translation>未选择工单</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Scan the work order&apos;s code to start.</source>
        <translation>请扫描工单号开始。</translation>
    </message>
    <message>
        <source>Serials: {0} made, {1} finished, {2} failed</source>
        <translation>序列号：已生成 {0}，已完工 {1}，不合格 {2}</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>已完工</translation>
    </message>
    <message>
        <source>planned, not released</source>
        <translation>已计划，未下达</translation>
    </message>
    <message>
        <source>released</source>
        <translation>放行</translation>
    </message>
    <message>
        <source>{0} {1} · {2} · production lot {3}</source>
        <translation>{0} {1} · {2} · 生产批次 {3}</translation>
    </message>
</context>
<context>
    <name>messages</name>
    <message>
        <source>(open)</source>
        <comment>a container not closed yet</comment>
        <translation>（未封箱）</translation>
    </message>
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
        <source>In {0}, AI ({1}) and AI ({2}) cannot stand together: the label is wrong.</source>
        <translation>{0} 中 AI ({1}) 与 AI ({2}) 不能同时出现：标签有误。</translation>
    </message>
    <message>
        <source>In {0}, AI ({1}) comes without {2}: scan another barcode of the label.</source>
        <translation>{0} 中 AI ({1}) 缺少 {2}：请扫描标签上的另一个条码。</translation>
    </message>
    <message>
        <source>In {0}, AI ({1}) has {2} characters, {3} at least: the label is damaged.</source>
        <translation>{0} 中 AI ({1}) 为 {2} 个字符，至少应为 {3} 个：标签已损坏。</translation>
    </message>
    <message>
        <source>In {0}, AI ({1}) has {2} characters, {3} at most: a damaged label or a lost separator.</source>
        <translation>{0} 中 AI ({1}) 为 {2} 个字符，最多 {3} 个：标签损坏或缺少分隔符。</translation>
    </message>
    <message>
        <source>In {0}, AI ({1}) holds {2} where only digits are allowed: check the label.</source>
        <translation>{0} 中 AI ({1}) 含有 {2}，此处只允许数字：请检查标签。</translation>
    </message>
    <message>
        <source>In {0}, AI ({1}) holds {2}, a character GS1 does not allow there: check the label.</source>
        <translation>{0} 中 AI ({1}) 含有 GS1 不允许的字符 {2}：请检查标签。</translation>
    </message>
    <message>
        <source>In {0}, AI ({1}) is not a valid date or time: check the label.</source>
        <translation>{0} 中 AI ({1}) 不是有效的日期或时间：请检查标签。</translation>
    </message>
    <message>
        <source>In {0}, the value of AI ({1}) is not valid: check the label.</source>
        <translation>{0} 中 AI ({1}) 的值无效：请检查标签。</translation>
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
        <translation>{1} 中的序列号 {0} 测试不合格，不能出货。</translation>
    </message>
    <message>
        <source>Serial {0} is used already.</source>
        <translation>序列号 {0} 已被使用。</translation>
    </message>
    <message>
        <source>Shipment {0} does not match its order: {1}.</source>
        <translation>出货单 {0} 与订单数量不符：{1}。</translation>
    </message>
    <message>
        <source>Shipment {0} exists already.</source>
        <translation>出货单 {0} 已存在。</translation>
    </message>
    <message>
        <source>Shipment {0} has left already: it cannot be changed.</source>
        <translation>出货单 {0} 已发出，不能再更改。</translation>
    </message>
    <message>
        <source>Shipment {0} is empty: scan what leaves first.</source>
        <translation>出货单 {0} 为空：请先扫描要发出的货物。</translation>
    </message>
    <message>
        <source>Shipment {0} is not known.</source>
        <translation>出货单 {0} 不存在。</translation>
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
        <source>The check digit of ({0}) {1} is wrong ({2} instead of {3}): check the label.</source>
        <translation>({0}) {1} 的校验位错误（实为 {2}，应为 {3}）：请检查标签。</translation>
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
        <source>This label was received today at {0}: supplier lot {1}, {2}, {3} {4} (lot {5}). Nothing was recorded.</source>
        <translation>此标签今天 {0} 已收货：供应商批号 {1}，{2}，{3} {4}（批次 {5}）。本次未记录。</translation>
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
        <translation>物料 {0} 超量：出货单需要 {1}，已拣 {2}，再加 {3} 将超出。</translation>
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
        <source>adjusted</source>
        <comment>event</comment>
        <translation>调整</translation>
    </message>
    <message>
        <source>administrator</source>
        <comment>role</comment>
        <translation>管理员</translation>
    </message>
    <message>
        <source>closed</source>
        <comment>event</comment>
        <translation>已封箱</translation>
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
        <comment>event</comment>
        <translation>已消耗</translation>
    </message>
    <message>
        <source>consumed</source>
        <comment>status</comment>
        <translation>已消耗</translation>
    </message>
    <message>
        <source>container</source>
        <comment>unit kind</comment>
        <translation>容器</translation>
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
        <source>inspected</source>
        <comment>event</comment>
        <translation>检验</translation>
    </message>
    <message>
        <source>label printed</source>
        <comment>event</comment>
        <translation>打印标签</translation>
    </message>
    <message>
        <source>label reprinted</source>
        <comment>event</comment>
        <translation>补打标签</translation>
    </message>
    <message>
        <source>lot</source>
        <comment>unit kind</comment>
        <translation>批次</translation>
    </message>
    <message>
        <source>master data</source>
        <comment>event</comment>
        <translation>主数据</translation>
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
        <comment>event</comment>
        <translation>已装箱</translation>
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
        <source>produced</source>
        <comment>event</comment>
        <translation>产出</translation>
    </message>
    <message>
        <source>put on hold</source>
        <comment>event</comment>
        <translation>冻结</translation>
    </message>
    <message>
        <source>quality inspector</source>
        <comment>role</comment>
        <translation>质检员</translation>
    </message>
    <message>
        <source>received</source>
        <comment>event</comment>
        <translation>收货</translation>
    </message>
    <message>
        <source>rejected</source>
        <comment>event</comment>
        <translation>已拒收</translation>
    </message>
    <message>
        <source>rejected</source>
        <comment>status</comment>
        <translation>已拒收</translation>
    </message>
    <message>
        <source>released</source>
        <comment>event</comment>
        <translation>已放行</translation>
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
        <comment>event</comment>
        <translation>已报废</translation>
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
        <source>serial</source>
        <comment>unit kind</comment>
        <translation>序列号</translation>
    </message>
    <message>
        <source>serial created</source>
        <comment>event</comment>
        <translation>序列号生成</translation>
    </message>
    <message>
        <source>shipment order</source>
        <comment>event</comment>
        <translation>出货单</translation>
    </message>
    <message>
        <source>shipped</source>
        <comment>event</comment>
        <translation>已出货</translation>
    </message>
    <message>
        <source>shipped</source>
        <comment>status</comment>
        <translation>已出货</translation>
    </message>
    <message>
        <source>split</source>
        <comment>event</comment>
        <translation>拆分</translation>
    </message>
    <message>
        <source>step reported</source>
        <comment>event</comment>
        <translation>工序报工</translation>
    </message>
    <message>
        <source>supervisor</source>
        <comment>role</comment>
        <translation>主管</translation>
    </message>
    <message>
        <source>unpacked</source>
        <comment>event</comment>
        <translation>拆箱</translation>
    </message>
    <message>
        <source>work order</source>
        <comment>event</comment>
        <translation>工单</translation>
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
        <translation>{0} 已出货。</translation>
    </message>
    <message>
        <source>{0} has been shipped already: shipment {1}, on {2}.</source>
        <translation>{0} 已出货：出货单 {1}，日期 {2}。</translation>
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
        <source>{0} holds AI ({1}) twice: check the label.</source>
        <translation>{0} 中 AI ({1}) 出现了两次：请检查标签。</translation>
    </message>
    <message>
        <source>{0} holds an AI that GS1 does not define ({1}): check the label or scan again.</source>
        <translation>{0} 含有 GS1 未定义的 AI（{1}）：请检查标签或重新扫描。</translation>
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
        <translation>{1} 中的 {0} 已出货。</translation>
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
        <translation>{0} 是物料 {1}，出货单 {2} 中没有此物料。</translation>
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
        <translation>{0} 无法识别：没有单元、工单或出货单使用此编码。</translation>
    </message>
    <message>
        <source>{0} is not on hold: there is nothing to release.</source>
        <translation>{0} 未被冻结，无需解冻。</translation>
    </message>
    <message>
        <source>{0} is not on shipment {1}.</source>
        <translation>{0} 不在出货单 {1} 中。</translation>
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
        <translation>{0} 已在某个出货单中。</translation>
    </message>
    <message>
        <source>{0} is on hold: it cannot be used.</source>
        <translation>{0} 已冻结，不能使用。</translation>
    </message>
    <message>
        <source>{0} is on shipment {1} already.</source>
        <translation>{0} 已在出货单 {1} 中。</translation>
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
