<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name></name>
    <message>
        <location filename="../customer_display.py" line="238"/>
        <source>Welcome</source>
        <translation>欢迎光临</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="239"/>
        <location filename="../refund_dialog.py" line="100"/>
        <location filename="../refund_dialog.py" line="225"/>
        <location filename="../stock_view.py" line="177"/>
        <location filename="../stock_view.py" line="414"/>
        <location filename="../stock_view.py" line="440"/>
        <location filename="../stock_view.py" line="452"/>
        <location filename="../stock_view.py" line="552"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="239"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="239"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="240"/>
        <location filename="../payment.py" line="252"/>
        <source>Scan to pay with PayNow</source>
        <translation>请用 PayNow 扫码付款</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="241"/>
        <source>Thank you!</source>
        <translation>谢谢惠顾！</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="315"/>
        <source>(you save {amount})</source>
        <translation>（节省 {amount}）</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="328"/>
        <source>You save {amount}</source>
        <translation>共节省 {amount}</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="333"/>
        <location filename="../payment.py" line="267"/>
        <source>Total {amount}</source>
        <translation>合计 {amount}</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="344"/>
        <location filename="../payment.py" line="512"/>
        <source>Still to pay {amount}</source>
        <translation>尚需支付 {amount}</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="360"/>
        <source>Reference {number}</source>
        <translation>参考号 {number}</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="377"/>
        <location filename="../sell.py" line="330"/>
        <source>Change due {amount}</source>
        <translation>找零 {amount}</translation>
    </message>
    <message>
        <location filename="../customer_display.py" line="380"/>
        <location filename="../sell.py" line="332"/>
        <source>Paid {amount}</source>
        <translation>已付 {amount}</translation>
    </message>
    <message>
        <location filename="../payment.py" line="253"/>
        <source>Received (Enter)</source>
        <translation>已收款 (Enter)</translation>
    </message>
    <message>
        <location filename="../payment.py" line="285"/>
        <source>Finish the payment in progress first, or press Esc.</source>
        <translation>请先完成正在进行的付款，或按 Esc。</translation>
    </message>
    <message>
        <location filename="../payment.py" line="304"/>
        <source>up to what is due</source>
        <translation>最多为应付金额</translation>
    </message>
    <message>
        <location filename="../payment.py" line="307"/>
        <source>Gift voucher ({amount}): scan its barcode or type its serial, then Enter (Esc cancels)</source>
        <translation>礼券（{amount}）：扫描条码或输入序列号，然后按 Enter（Esc 取消）</translation>
    </message>
    <message>
        <location filename="../payment.py" line="321"/>
        <source>Voucher {amount}: scan the customer&apos;s vouchers in the CDC merchant app, then type its transaction reference and Enter (Esc cancels)</source>
        <translation>消费券 {amount}：用 CDC 商家应用扫描顾客的消费券，然后输入交易参考号并按 Enter（Esc 取消）</translation>
    </message>
    <message>
        <location filename="../payment.py" line="328"/>
        <source>{tender} {amount}: type the approval code the terminal printed, then Enter (Esc cancels)</source>
        <translation>{tender} {amount}：输入刷卡机打印的授权码，然后按 Enter（Esc 取消）</translation>
    </message>
    <message>
        <location filename="../payment.py" line="331"/>
        <source>Card</source>
        <translation>信用卡</translation>
    </message>
    <message>
        <location filename="../payment.py" line="412"/>
        <source>reference {number}</source>
        <translation>参考号 {number}</translation>
    </message>
    <message>
        <location filename="../payment.py" line="417"/>
        <source>Ask the customer to scan the QR code. Press Enter (or Received) once the transfer shows as received; Esc cancels.</source>
        <translation>请顾客扫描二维码。转账到账后按 Enter（或“已收款”）；Esc 取消。</translation>
    </message>
    <message>
        <location filename="../payment.py" line="439"/>
        <source>No payment to take back.</source>
        <translation>没有可撤销的付款。</translation>
    </message>
    <message>
        <location filename="../payment.py" line="444"/>
        <source>Took back {tender} {amount}.</source>
        <translation>已撤销{tender} {amount}。</translation>
    </message>
    <message>
        <location filename="../payment.py" line="452"/>
        <source>Payment cancelled.</source>
        <translation>付款已取消。</translation>
    </message>
    <message>
        <location filename="../payment.py" line="456"/>
        <source>Payments are already taken: remove them first (Del) or finish the sale.</source>
        <translation>已收取付款：请先撤销（Del）或完成这笔交易。</translation>
    </message>
    <message>
        <location filename="../payment.py" line="471"/>
        <source>{tender} {amount} taken.</source>
        <translation>已收{tender} {amount}。</translation>
    </message>
    <message>
        <location filename="../payment.py" line="504"/>
        <source>(ref {reference})</source>
        <translation>（参考号 {reference}）</translation>
    </message>
    <message>
        <location filename="../payment.py" line="516"/>
        <source>In cash: {amount} (rounding {rounding})</source>
        <translation>现金支付：{amount}（凑整 {rounding}）</translation>
    </message>
    <message>
        <location filename="../payment.py" line="527"/>
        <source>Exact cash</source>
        <translation>现金刚好</translation>
    </message>
    <message>
        <location filename="../sell_totals.py" line="40"/>
        <source>Items</source>
        <translation>件数</translation>
    </message>
    <message>
        <location filename="../sell_totals.py" line="40"/>
        <source>Subtotal</source>
        <translation>小计</translation>
    </message>
    <message>
        <location filename="../sell_totals.py" line="40"/>
        <source>Discounts</source>
        <translation>折扣</translation>
    </message>
    <message>
        <location filename="../sell_totals.py" line="40"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../sell_totals.py" line="40"/>
        <source>You saved</source>
        <translation>您节省了</translation>
    </message>
    <message>
        <location filename="../sell_totals.py" line="44"/>
        <location filename="../sell_totals.py" line="82"/>
        <source>includes GST {amount}</source>
        <translation>含消费税 {amount}</translation>
    </message>
    <message>
        <location filename="../signin.py" line="92"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../signin.py" line="93"/>
        <source>Staff code, then Enter</source>
        <translation>员工编号，然后按 Enter</translation>
    </message>
    <message>
        <location filename="../signin.py" line="94"/>
        <source>PIN, then Enter</source>
        <translation>密码，然后按 Enter</translation>
    </message>
    <message>
        <location filename="../signin.py" line="122"/>
        <source>Demo till. Code/PIN: {pins}</source>
        <translation>演示收银机。编号/密码：{pins}</translation>
    </message>
    <message>
        <location filename="../signin.py" line="156"/>
        <source>Type your staff code first, then your PIN.</source>
        <translation>请先输入员工编号，再输入密码。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="85"/>
        <source>Scan or type a barcode (letters search by name)</source>
        <translation>扫描或输入条码（输入文字按名称搜索）</translation>
    </message>
    <message>
        <location filename="../sell.py" line="237"/>
        <source>Cashier: {name} ({code})</source>
        <translation>收银员：{name}（{code}）</translation>
    </message>
    <message>
        <location filename="../sell.py" line="273"/>
        <source>No shift is open: press F8 to open one with the float.</source>
        <translation>尚未开班：按 F8 放入备用金开班。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="287"/>
        <source>Customer: {customer}</source>
        <translation>顾客：{customer}</translation>
    </message>
    <message>
        <location filename="../sell.py" line="310"/>
        <source>No promotion is running at this till.</source>
        <translation>本收银机目前没有促销活动。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="323"/>
        <source>Sale {number} done.</source>
        <translation>交易 {number} 完成。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="325"/>
        <source>Change due: {amount}</source>
        <translation>找零：{amount}</translation>
    </message>
    <message>
        <location filename="../sell.py" line="373"/>
        <source>That is too long for a barcode or a name (at most {count} characters): nothing was rung up. Scan the item again</source>
        <translation>输入太长，不是条码或名称（最多 {count} 个字符）：未录入任何商品。请重新扫描商品</translation>
    </message>
    <message>
        <location filename="../sell.py" line="399"/>
        <source>{question} {item} at {price}/kg, then Enter (Esc: not this item)</source>
        <translation>{question} {item}（{price}/公斤），然后按 Enter（Esc：不是这件商品）</translation>
    </message>
    <message>
        <location filename="../sell.py" line="406"/>
        <source>{item} is sold by weight: put it on the scale and type the kg.</source>
        <translation>{item} 按重量出售：请放上秤并输入公斤数。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="426"/>
        <source>Scan an item first, then choose the line with Up/Down.</source>
        <translation>请先扫描商品，再用上/下键选择该行。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="430"/>
        <source>{question} {item}: type it, then Enter</source>
        <translation>{question} {item}：输入后按 Enter</translation>
    </message>
    <message>
        <location filename="../sell.py" line="442"/>
        <source>{question}: type it, then Enter</source>
        <translation>{question}：输入后按 Enter</translation>
    </message>
    <message>
        <location filename="../sell.py" line="514"/>
        <source>There is no line to remove.</source>
        <translation>没有可删除的商品。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="521"/>
        <location filename="../stock_view.py" line="405"/>
        <source>Removed {item}.</source>
        <translation>已删除 {item}。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="535"/>
        <source>Sale parked. Shift+F9 recalls it.</source>
        <translation>交易已挂单。按 Shift+F9 取回。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="543"/>
        <source>No sales are parked.</source>
        <translation>没有挂单的交易。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="555"/>
        <source>Parked sale recalled.</source>
        <translation>已取回挂单的交易。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="569"/>
        <source>No customer on this sale.</source>
        <translation>这笔交易没有顾客。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="572"/>
        <source>Their receipt is a full tax invoice.</source>
        <translation>其收据为完整税务发票。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="575"/>
        <source>Sale is for {customer} ({points} points here).</source>
        <translation>这笔交易属于 {customer}（本店积分 {points}）。</translation>
    </message>
    <message>
        <location filename="../sell.py" line="587"/>
        <source>Open a shift first (F8), then take payment.</source>
        <translation>请先开班（F8），再收款。</translation>
    </message>
    <message>
        <location filename="../approval.py" line="68"/>
        <source>Manager approval</source>
        <translation>经理批准</translation>
    </message>
    <message>
        <location filename="../approval.py" line="79"/>
        <source>manager&apos;s staff code</source>
        <translation>经理的员工编号</translation>
    </message>
    <message>
        <location filename="../approval.py" line="83"/>
        <location filename="../approval.py" line="85"/>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../approval.py" line="84"/>
        <source>Staff code</source>
        <translation>员工编号</translation>
    </message>
    <message>
        <location filename="../approval.py" line="99"/>
        <location filename="../refund_dialog.py" line="137"/>
        <location filename="../refund_dialog.py" line="230"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../approval.py" line="140"/>
        <source>Type the manager&apos;s staff code first.</source>
        <translation>请先输入经理的员工编号。</translation>
    </message>
    <message>
        <location filename="../cash_count.py" line="100"/>
        <source>Counted: {amount}</source>
        <translation>已点：{amount}</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="60"/>
        <source>Customer for this sale</source>
        <translation>这笔交易的顾客</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="80"/>
        <source>mobile number, member number or name</source>
        <translation>手机号码、会员号或姓名</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="88"/>
        <source>Attached now: {customer}. Shift+F6 takes them off the sale.</source>
        <translation>当前顾客：{customer}。按 Shift+F6 从交易中移除。</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="92"/>
        <source>Type, then Enter. Buying never needs a customer.</source>
        <translation>输入后按 Enter。购物无需登记顾客。</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="97"/>
        <source>Find a member</source>
        <translation>查找会员</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="102"/>
        <location filename="../customer_dialog.py" line="206"/>
        <source>New member</source>
        <translation>新会员</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="105"/>
        <source>Attached member withdraws consent</source>
        <translation>当前会员撤回同意</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="150"/>
        <source>Up/Down to choose, Enter to attach to the sale, Esc to go back</source>
        <translation>上/下键选择，Enter 加入交易，Esc 返回</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="155"/>
        <source>No member matches {text}. Ctrl+N enrols a new one.</source>
        <translation>没有会员符合 {text}。按 Ctrl+N 登记新会员。</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="172"/>
        <source>as the member wants to be called</source>
        <translation>会员希望的称呼</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="173"/>
        <source>e.g. 9123 4567</source>
        <translation>例如 9123 4567</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="174"/>
        <source>optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="176"/>
        <source>Agrees to the shop keeping these details for the purpose below</source>
        <translation>同意本店为下列用途保存这些资料</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="179"/>
        <source>Also agrees to receive offers (marketing, separate)</source>
        <translation>另同意接收优惠信息（营销，单独同意）</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="183"/>
        <source>business customers: for a full tax invoice</source>
        <translation>企业顾客：用于完整税务发票</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="184"/>
        <source>e.g. 201912345K</source>
        <translation>例如 201912345K</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="187"/>
        <source>the company&apos;s address, up to 4 lines</source>
        <translation>公司地址，最多 4 行</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="190"/>
        <source>if GST-registered</source>
        <translation>如已注册消费税</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="191"/>
        <source>Never ask for or type an NRIC or FIN number.</source>
        <translation>切勿索取或输入身份证（NRIC）或 FIN 号码。</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="195"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="196"/>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="197"/>
        <source>E-mail</source>
        <translation>电邮</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="199"/>
        <source>Purpose</source>
        <translation>用途</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="201"/>
        <source>Company</source>
        <translation>公司</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="202"/>
        <source>UEN</source>
        <translation>UEN 号</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="203"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="204"/>
        <source>GST Reg No</source>
        <translation>消费税注册号</translation>
    </message>
    <message>
        <location filename="../customer_dialog.py" line="209"/>
        <source>Save and attach</source>
        <translation>保存并加入交易</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="49"/>
        <source>none waiting</source>
        <translation>无待发送</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="52"/>
        <source>{s} s</source>
        <translation>{s} 秒</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="54"/>
        <source>{m} min {s} s</source>
        <translation>{m} 分 {s} 秒</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="55"/>
        <location filename="../status_bar.py" line="34"/>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="61"/>
        <location filename="../status_bar.py" line="40"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="81"/>
        <source>Till:</source>
        <translation>收银机：</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="82"/>
        <source>Versions:</source>
        <translation>版本：</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="83"/>
        <source>Store:</source>
        <translation>数据库：</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="84"/>
        <source>Sync:</source>
        <translation>同步：</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="85"/>
        <source>Last contact:</source>
        <translation>上次联系：</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="86"/>
        <source>Prices as of:</source>
        <translation>价格日期：</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="87"/>
        <source>Outbox:</source>
        <translation>待发送：</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="88"/>
        <source>Last sync error:</source>
        <translation>上次同步错误：</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="101"/>
        <source>A folder (e.g. a USB stick) or the zip file&apos;s full name</source>
        <translation>文件夹（例如 U 盘）或 zip 文件的完整名称</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="106"/>
        <source>Save to:</source>
        <translation>保存到：</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="109"/>
        <source>Export support bundle</source>
        <translation>导出支持数据包</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="112"/>
        <source>Read again</source>
        <translation>重新读取</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="114"/>
        <location filename="../receipts_view.py" line="90"/>
        <location filename="../shift_view.py" line="106"/>
        <location filename="../shift_view.py" line="130"/>
        <location filename="../stock_view.py" line="208"/>
        <source>Back to selling</source>
        <translation>返回收银</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="115"/>
        <source>Diagnostics</source>
        <translation>诊断</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="120"/>
        <source>Quarantined events and recent problems:</source>
        <translation>隔离的事件和最近的问题：</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="176"/>
        <source>enrolled with head office</source>
        <translation>已在总部登记</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="176"/>
        <source>not enrolled</source>
        <translation>未登记</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="178"/>
        <source>{till} · epoch {epoch} · {enrolled} · id {id}</source>
        <translation>{till} · 纪元 {epoch} · {enrolled} · 编号 {id}</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="187"/>
        <source>push {push} · pull {pull}</source>
        <translation>上传 {push} · 下载 {pull}</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="194"/>
        <source>{count} events waiting · oldest {age} · acknowledged up to epoch {epoch} seq {seq}</source>
        <translation>{count} 个事件待发送 · 最早 {age} · 已确认至纪元 {epoch} 序号 {seq}</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="203"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="210"/>
        <source>no head office is configured</source>
        <translation>未设置总部</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="211"/>
        <source>stand-alone: this till does not sync ({why})</source>
        <translation>单机：本收银机不同步（{why}）</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="212"/>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="212"/>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="213"/>
        <source>synced in this app</source>
        <translation>由本程序同步</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="213"/>
        <source>synced by the sync service</source>
        <translation>由同步服务同步</translation>
    </message>
    <message>
        <location filename="../diagnostics_view.py" line="244"/>
        <source>Support bundle saved: {path}</source>
        <translation>支持数据包已保存：{path}</translation>
    </message>
    <message>
        <location filename="../errors.py" line="35"/>
        <source>Something went wrong: {error}.
The till logged the details; carry on or call support.</source>
        <translation>出现错误：{error}。
收银机已记录详情；请继续操作或联系技术支持。</translation>
    </message>
    <message>
        <location filename="../errors.py" line="50"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../errors.py" line="55"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="166"/>
        <source>SG-POS · {shop} · till {till}</source>
        <translation>SG-POS · {shop} · 收银机 {till}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="215"/>
        <source>Park (F9) or finish the sale before signing out.</source>
        <translation>登出前请挂单（F9）或完成交易。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="224"/>
        <source>{name} signed out.</source>
        <translation>{name} 已登出。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="235"/>
        <source>Sign in first.</source>
        <translation>请先登录。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="276"/>
        <source>Receipt saved as PDF: {path}</source>
        <translation>收据已保存为 PDF：{path}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="283"/>
        <source>Park (F9) or finish the sale before closing the till.</source>
        <translation>关闭收银机前请挂单（F9）或完成交易。</translation>
    </message>
    <message>
        <location filename="../pin_pad.py" line="50"/>
        <source>Enter</source>
        <translation>确认</translation>
    </message>
    <message>
        <location filename="../print_problem.py" line="32"/>
        <source>printed</source>
        <translation>已打印</translation>
    </message>
    <message>
        <location filename="../print_problem.py" line="34"/>
        <source>saved as PDF: {path}</source>
        <translation>已保存为 PDF：{path}</translation>
    </message>
    <message>
        <location filename="../print_problem.py" line="35"/>
        <source>not printed</source>
        <translation>未打印</translation>
    </message>
    <message>
        <location filename="../print_problem.py" line="98"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../print_problem.py" line="99"/>
        <source>Save as PDF</source>
        <translation>保存为 PDF</translation>
    </message>
    <message>
        <location filename="../print_problem.py" line="100"/>
        <source>Skip</source>
        <translation>跳过</translation>
    </message>
    <message>
        <location filename="../print_problem.py" line="115"/>
        <source>Printer problem</source>
        <translation>打印机问题</translation>
    </message>
    <message>
        <location filename="../print_problem.py" line="118"/>
        <location filename="../sale_printing.py" line="94"/>
        <source>The printer did not print.</source>
        <translation>打印机没有打印。</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="44"/>
        <source>scan the receipt, or type its last digits (e.g. 525), an amount or a time</source>
        <translation>扫描收据，或输入收据号末几位（如 525）、金额或时间</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="58"/>
        <source>why: e.g. damaged, wrong size, rung up twice</source>
        <translation>原因：例如损坏、尺码不对、重复录入</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="61"/>
        <source>Find a receipt</source>
        <translation>查找收据</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="62"/>
        <source>Reason for a refund or void</source>
        <translation>退款或作废原因</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="64"/>
        <source>The receipt appears here as it was printed.</source>
        <translation>收据将按打印样式显示在这里。</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="72"/>
        <source>Reprint</source>
        <translation>重印</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="73"/>
        <source>Refund items</source>
        <translation>退货退款</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="74"/>
        <source>Void sale</source>
        <translation>作废交易</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="76"/>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="81"/>
        <source>Refund without receipt</source>
        <translation>无收据退款</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="85"/>
        <source>Tax invoice (A4 PDF)</source>
        <translation>税务发票（A4 PDF）</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="137"/>
        <source>{count} recent receipts match {text}: Down, then choose one.</source>
        <translation>{count} 张近期收据符合 {text}：按下键后选择一张。</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="141"/>
        <source>No receipt of today or yesterday matches {text}.</source>
        <translation>今天和昨天没有收据符合 {text}。</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="185"/>
        <source>reprinted {count} time</source>
        <translation>已重印 {count} 次</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="185"/>
        <source>reprinted {count} times</source>
        <translation>已重印 {count} 次</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="187"/>
        <source>original</source>
        <translation>原件</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="191"/>
        <source>Sale of {amount} ({copies}).</source>
        <translation>销售 {amount}（{copies}）。</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="197"/>
        <source>Refund slip without a receipt ({copies}).</source>
        <translation>无收据退款单（{copies}）。</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="201"/>
        <source>Void slip of sale {number} ({copies}).</source>
        <translation>交易 {number} 的作废单（{copies}）。</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="203"/>
        <source>Refund slip for sale {number} ({copies}).</source>
        <translation>交易 {number} 的退款单（{copies}）。</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="221"/>
        <source>Tax invoice {number} saved as PDF: {path}</source>
        <translation>税务发票 {number} 已保存为 PDF：{path}</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="237"/>
        <source>Reprint of {number} skipped; F2 tries again.</source>
        <translation>已跳过重印 {number}；按 F2 再试。</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="243"/>
        <source>REPRINT #{count} {outcome}.</source>
        <translation>重印第 {count} 份{outcome}。</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="257"/>
        <source>Everything on {number} was already refunded.</source>
        <translation>{number} 上的商品已全部退款。</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="340"/>
        <source>Refund {number}: {amount} paid back by {tender}; slip {outcome}.</source>
        <translation>退款 {number}：以{tender}退还 {amount}；退款单{outcome}。</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="350"/>
        <source>{amount} less: what the customer keeps no longer meets its promotion.</source>
        <translation>少退 {amount}：顾客留下的商品已不再符合其促销条件。</translation>
    </message>
    <message>
        <location filename="../receipts_view.py" line="354"/>
        <source>{amount} more: held back by an earlier refund of this sale for its promotion.</source>
        <translation>多退 {amount}：此前对这笔销售的退款因促销而暂扣的部分。</translation>
    </message>
    <message>
        <location filename="../recent_receipts.py" line="42"/>
        <source>yesterday {time}</source>
        <translation>昨天 {time}</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="59"/>
        <source>{text} is not a quantity; type e.g. 1 or 0.250</source>
        <translation>{text} 不是数量；请输入例如 1 或 0.250</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="92"/>
        <source>Refund items of {number}</source>
        <translation>退还 {number} 的商品</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="100"/>
        <source>Sold</source>
        <translation>已售</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="100"/>
        <source>Refunded</source>
        <translation>已退</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="100"/>
        <source>Left</source>
        <translation>可退</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="100"/>
        <source>Refund now</source>
        <translation>本次退</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="124"/>
        <source>why: e.g. damaged, wrong size</source>
        <translation>原因：例如损坏、尺码不对</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="131"/>
        <source>Pay back by</source>
        <translation>退款方式</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="132"/>
        <location filename="../shift_view.py" line="121"/>
        <location filename="../stock_view.py" line="173"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="134"/>
        <source>All that is left</source>
        <translation>全部可退</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="136"/>
        <location filename="../refund_dialog.py" line="229"/>
        <source>Refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="139"/>
        <source>Type the quantity to refund beside each item:</source>
        <translation>在每件商品旁输入要退的数量：</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="167"/>
        <source>{item}: only {left} of {sold} sold is left to refund, not {asked}. Change that quantity.</source>
        <translation>{item}：已售 {sold}，只剩 {left} 可退，不能退 {asked}。请修改该数量。</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="182"/>
        <source>Type a quantity beside at least one item (F2: everything).</source>
        <translation>请至少在一件商品旁输入数量（F2：全部）。</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="206"/>
        <source>Refund without a receipt</source>
        <translation>无收据退款</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="212"/>
        <source>scan or type the barcode, then Enter</source>
        <translation>扫描或输入条码，然后按 Enter</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="217"/>
        <location filename="../refund_dialog.py" line="241"/>
        <source>No item yet.</source>
        <translation>尚无商品。</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="224"/>
        <source>Barcode</source>
        <translation>条码</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="226"/>
        <location filename="../stock_view.py" line="175"/>
        <location filename="../stock_view.py" line="414"/>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="243"/>
        <source>No product has barcode {code}: scan again.</source>
        <translation>没有条码为 {code} 的商品：请重新扫描。</translation>
    </message>
    <message>
        <location filename="../refund_dialog.py" line="254"/>
        <source>Scan the item&apos;s barcode first.</source>
        <translation>请先扫描商品条码。</translation>
    </message>
    <message>
        <location filename="../report_view.py" line="36"/>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <location filename="../report_view.py" line="37"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../report_view.py" line="57"/>
        <location filename="../shift_view.py" line="127"/>
        <source>X report</source>
        <translation>X 报表</translation>
    </message>
    <message>
        <location filename="../report_view.py" line="57"/>
        <source>Z report</source>
        <translation>Z 报表</translation>
    </message>
    <message>
        <location filename="../report_view.py" line="66"/>
        <source>F2 prints it again.</source>
        <translation>按 F2 再次打印。</translation>
    </message>
    <message>
        <location filename="../report_view.py" line="67"/>
        <source>Report {outcome}.</source>
        <translation>报表{outcome}。</translation>
    </message>
    <message>
        <location filename="../sale_printing.py" line="90"/>
        <source>Receipt not printed</source>
        <translation>收据未打印</translation>
    </message>
    <message>
        <location filename="../sale_printing.py" line="98"/>
        <source>Sale {number} is saved. Retry, save the receipt as a PDF, or skip (Receipts, F7, reprints it later).</source>
        <translation>交易 {number} 已保存。请重试、将收据保存为 PDF，或跳过（之后可在“收据”F7 重印）。</translation>
    </message>
    <message>
        <location filename="../sale_printing.py" line="120"/>
        <source>The PDF could not be saved: {error}</source>
        <translation>PDF 无法保存：{error}</translation>
    </message>
    <message>
        <location filename="../search_dialog.py" line="44"/>
        <source>Find a product</source>
        <translation>查找商品</translation>
    </message>
    <message>
        <location filename="../search_dialog.py" line="53"/>
        <source>Type part of the name or SKU</source>
        <translation>输入部分名称或货号</translation>
    </message>
    <message>
        <location filename="../search_dialog.py" line="102"/>
        <source>Up/Down to choose, Enter to add, Esc to go back</source>
        <translation>上/下键选择，Enter 加入，Esc 返回</translation>
    </message>
    <message>
        <location filename="../search_dialog.py" line="106"/>
        <source>Nothing matches {text}</source>
        <translation>没有符合 {text} 的商品</translation>
    </message>
    <message>
        <location filename="../search_dialog.py" line="108"/>
        <source>Type to search</source>
        <translation>输入以搜索</translation>
    </message>
    <message>
        <location filename="../sell_answers.py" line="38"/>
        <source>Discounts on this sale: {amount}.</source>
        <translation>这笔交易的折扣：{amount}。</translation>
    </message>
    <message>
        <location filename="../sell_answers.py" line="43"/>
        <source>{item}: quantity {quantity}.</source>
        <translation>{item}：数量 {quantity}。</translation>
    </message>
    <message>
        <location filename="../sell_answers.py" line="49"/>
        <source>{item}: discount {amount}.</source>
        <translation>{item}：折扣 {amount}。</translation>
    </message>
    <message>
        <location filename="../sell_answers.py" line="53"/>
        <source>price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../sell_answers.py" line="55"/>
        <source>{item}: price now {amount}.</source>
        <translation>{item}：现价 {amount}。</translation>
    </message>
    <message>
        <location filename="../sell_cart.py" line="82"/>
        <source>(price changed)</source>
        <translation>（已改价）</translation>
    </message>
    <message>
        <location filename="../sell_parked.py" line="19"/>
        <source>Recall a parked sale</source>
        <translation>取回挂单</translation>
    </message>
    <message>
        <location filename="../sell_parked.py" line="22"/>
        <source>Parked sales, oldest first. Enter recalls; Esc goes back.</source>
        <translation>挂单交易，最早的在前。Enter 取回；Esc 返回。</translation>
    </message>
    <message>
        <location filename="../sell_parked.py" line="27"/>
        <source>{label}  ·  {count} lines</source>
        <translation>{label}  ·  {count} 行</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="82"/>
        <source>No shift is open: count the float into the drawer and open one.</source>
        <translation>尚未开班：请把备用金点入钱箱后开班。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="85"/>
        <source>opening float, e.g. 150.00</source>
        <translation>开班备用金，例如 150.00</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="92"/>
        <source>Opening float ($)</source>
        <translation>开班备用金（$）</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="96"/>
        <source>…or count it by note and coin:</source>
        <translation>……或按纸币和硬币清点：</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="100"/>
        <source>Open shift</source>
        <translation>开班</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="103"/>
        <location filename="../shift_view.py" line="129"/>
        <source>Past Z reports</source>
        <translation>以往 Z 报表</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="116"/>
        <source>amount, e.g. 50.00</source>
        <translation>金额，例如 50.00</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="117"/>
        <source>reason, e.g. change top-up, bank deposit</source>
        <translation>原因，例如补充零钱、存入银行</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="120"/>
        <source>Amount ($)</source>
        <translation>金额（$）</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="124"/>
        <source>Cash in</source>
        <translation>存入现金</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="125"/>
        <source>Cash out</source>
        <translation>取出现金</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="126"/>
        <source>No sale (open drawer)</source>
        <translation>无交易（开钱箱）</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="128"/>
        <source>Close shift (Z report)</source>
        <translation>交班（Z 报表）</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="136"/>
        <source>Cash in or out of the drawer, or a no-sale:</source>
        <translation>现金存入或取出钱箱，或无交易开钱箱：</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="144"/>
        <source>Z reports of closed shifts, newest first</source>
        <translation>已交班的 Z 报表，最新的在前</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="152"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="154"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="164"/>
        <source>Count the drawer: pieces of each note and coin</source>
        <translation>清点钱箱：每种纸币和硬币的张数/枚数</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="176"/>
        <source>Count done</source>
        <translation>清点完毕</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="178"/>
        <source>Count again</source>
        <translation>重新清点</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="180"/>
        <source>Close shift</source>
        <translation>交班</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="186"/>
        <source>Not now</source>
        <translation>暂不</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="208"/>
        <source>Shift open since {opened}, float {amount}</source>
        <translation>班次自 {opened} 开始，备用金 {amount}</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="245"/>
        <source>opening float</source>
        <translation>开班备用金</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="249"/>
        <source>Shift opened with a float of {amount}.</source>
        <translation>已开班，备用金 {amount}。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="254"/>
        <source>amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="261"/>
        <source>{amount} into the drawer recorded.</source>
        <translation>已记录存入钱箱 {amount}。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="263"/>
        <source>{amount} out of the drawer recorded.</source>
        <translation>已记录从钱箱取出 {amount}。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="271"/>
        <source>No sale recorded.</source>
        <translation>已记录无交易开钱箱。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="278"/>
        <source>The drawer did not open: {problem}</source>
        <translation>钱箱没有打开：{problem}</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="296"/>
        <source>Count blind: type how many of each, Enter to move on. When every note and coin is in, press F6 (Count done) to see what the till expected.</source>
        <translation>盲点：输入每种的数量，按 Enter 进入下一项。全部纸币和硬币输入后，按 F6（清点完毕）查看收银机的应有金额。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="309"/>
        <source>Counted {amount}. Check it, then F6 (Count done).</source>
        <translation>已点 {amount}。请核对，然后按 F6（清点完毕）。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="319"/>
        <source>Nothing is counted yet: type the pieces of each note and coin (0 for an empty drawer), then F6.</source>
        <translation>尚未清点：请输入每种纸币和硬币的数量（空钱箱输入 0），然后按 F6。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="334"/>
        <source>That is more than the {limit} allowed: a manager approves the close.</source>
        <translation>超过允许的 {limit}：交班需经理批准。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="341"/>
        <source>Counted {counted}; the till expected {expected}; variance {variance}.</source>
        <translation>实点 {counted}；应有 {expected}；差额 {variance}。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="350"/>
        <source>Ctrl+Enter (Close shift) closes the shift and shows the Z report; F5 counts again (both counts are recorded); Esc leaves the shift open.</source>
        <translation>Ctrl+Enter（交班）结束班次并显示 Z 报表；F5 重新清点（两次清点都会记录）；Esc 保持班次开启。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="371"/>
        <source>The shift is still open: count again, or ask a manager to approve the variance.</source>
        <translation>班次仍然开启：请重新清点，或请经理批准差额。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="378"/>
        <source>Shift closed. Variance {variance}.</source>
        <translation>已交班。差额 {variance}。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="390"/>
        <source>Closed {closed}  (opened {opened})  variance {variance}</source>
        <translation>交班 {closed}（开班 {opened}）差额 {variance}</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="401"/>
        <source>Up/Down to choose, Enter to show it (then F2 prints).</source>
        <translation>上/下键选择，Enter 显示（然后按 F2 打印）。</translation>
    </message>
    <message>
        <location filename="../shift_view.py" line="403"/>
        <source>No shift has been closed on this till yet.</source>
        <translation>本收银机尚未交过班。</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="30"/>
        <source>under a minute</source>
        <translation>不到一分钟</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="32"/>
        <source>{m} min</source>
        <translation>{m} 分钟</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="35"/>
        <source>{d} days</source>
        <translation>{d} 天</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="48"/>
        <source>Sync status not known yet</source>
        <translation>同步状态未知</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="59"/>
        <source>Sync not started: see Diagnostics (Ctrl+Shift+D)</source>
        <translation>同步未启动：请查看诊断（Ctrl+Shift+D）</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="61"/>
        <source>Stand-alone (not connected to head office)</source>
        <translation>单机（未连接总部）</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="63"/>
        <source>{count} waiting to send</source>
        <translation>{count} 项待发送</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="70"/>
        <source>{count} waiting to send (oldest {age})</source>
        <translation>{count} 项待发送（最早 {age}）</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="74"/>
        <source>Everything sent</source>
        <translation>全部已发送</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="75"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="75"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="77"/>
        <source>Sync stopped: see Diagnostics (Ctrl+Shift+D)</source>
        <translation>同步已停止：请查看诊断（Ctrl+Shift+D）</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="81"/>
        <source>Last sync {time}</source>
        <translation>上次同步 {time}</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="82"/>
        <source>Prices as of {time}</source>
        <translation>价格日期 {time}</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="157"/>
        <source>1, 1.250 (kg), or packs x units: 3x24</source>
        <translation>1、1.250（公斤）或 包数 x 每包数量：3x24</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="158"/>
        <source>cost per unit from the invoice, e.g. 0.85</source>
        <translation>发票上的单位成本，例如 0.85</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="159"/>
        <source>scan the item, or type its barcode and Enter</source>
        <translation>扫描商品，或输入条码后按 Enter</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="171"/>
        <source>Purchase order</source>
        <translation>采购订单</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="172"/>
        <source>Reference</source>
        <translation>单号</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="174"/>
        <source>Count</source>
        <translation>盘点范围</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="176"/>
        <location filename="../stock_view.py" line="414"/>
        <source>Cost per unit</source>
        <translation>单位成本</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="194"/>
        <source>Start count</source>
        <translation>开始盘点</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="196"/>
        <source>Cancel count</source>
        <translation>取消盘点</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="199"/>
        <source>Next order</source>
        <translation>下一张订单</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="202"/>
        <source>All as ordered</source>
        <translation>全部按订单</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="205"/>
        <source>Remove last</source>
        <translation>删除最后一项</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="207"/>
        <location filename="../stock_view.py" line="308"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="270"/>
        <source>Save (F10) or remove the lines first: they belong to this job.</source>
        <translation>请先保存（F10）或删除这些行：它们属于当前作业。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="308"/>
        <source>Review and approve</source>
        <translation>核对并批准</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="317"/>
        <source>Stocktake {number} ({scope})</source>
        <translation>盘点 {number}（{scope}）</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="390"/>
        <source>{item}: counted {quantity} so far</source>
        <translation>{item}：目前已点 {quantity}</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="400"/>
        <source>Took back the last scan ({quantity}).</source>
        <translation>已撤回上一次扫描（{quantity}）。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="414"/>
        <source>Value</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="441"/>
        <source>Expected</source>
        <translation>账面</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="442"/>
        <location filename="../stock_view.py" line="452"/>
        <source>Counted</source>
        <translation>实点</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="443"/>
        <source>Variance</source>
        <translation>差异</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="444"/>
        <source>Value at cost</source>
        <translation>成本金额</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="474"/>
        <source>(part received)</source>
        <translation>（部分已收货）</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="497"/>
        <source>Save (F10) or remove the lines first: they belong to this delivery.</source>
        <translation>请先保存（F10）或删除这些行：它们属于本次送货。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="511"/>
        <source>{order} from {supplier}: scan what arrived (2p = two packs), or F7 if everything came as ordered.</source>
        <translation>{order}（供应商 {supplier}）：扫描到货商品（2p = 两包），如全部按订单到货请按 F7。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="530"/>
        <source>{item}: {quantity} in this delivery</source>
        <translation>{item}：本次送货 {quantity}</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="546"/>
        <source>Every line as ordered: scan more, or Remove last, where the delivery differs.</source>
        <translation>所有行已按订单填写：如到货不同，请继续扫描或删除上一项。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="553"/>
        <source>Ordered</source>
        <translation>订购</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="554"/>
        <source>Received before</source>
        <translation>此前已收</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="555"/>
        <source>This delivery</source>
        <translation>本次送货</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="556"/>
        <source>Packs</source>
        <translation>包数</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="557"/>
        <source>Difference</source>
        <translation>差异</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="568"/>
        <source>short {quantity}</source>
        <translation>短缺 {quantity}</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="570"/>
        <source>over {quantity}</source>
        <translation>多出 {quantity}</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="589"/>
        <source>Receive {order} from {supplier}: {short} short, {over} over</source>
        <translation>收货 {order}（供应商 {supplier}）：{short} 行短缺，{over} 行多出</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="608"/>
        <source>Count {number} started: scan every item on the shelves.</source>
        <translation>盘点 {number} 已开始：请扫描货架上的每件商品。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="623"/>
        <source>Count {number} cancelled: stock is as it was.</source>
        <translation>盘点 {number} 已取消：库存保持不变。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="647"/>
        <source>{number} received.</source>
        <translation>{number} 已收货。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="648"/>
        <source>{number} adjusted.</source>
        <translation>{number} 已调整。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="649"/>
        <source>{number} approved.</source>
        <translation>{number} 已批准。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="650"/>
        <source>{number} sent: write its number on the dispatch note.</source>
        <translation>{number} 已发出：请把单号写在发货单上。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="651"/>
        <source>{number} taken in.</source>
        <translation>{number} 已接收。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="654"/>
        <source>{count} line, {value} at cost.</source>
        <translation>{count} 行，成本 {value}。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="656"/>
        <source>{count} lines, {value} at cost.</source>
        <translation>{count} 行，成本 {value}。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="677"/>
        <source>{count} item differs, {value} at cost.</source>
        <translation>{count} 件商品有差异，成本 {value}。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="679"/>
        <source>{count} items differ, {value} at cost.</source>
        <translation>{count} 件商品有差异，成本 {value}。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="684"/>
        <source>Press F10 again to approve the count.</source>
        <translation>再按 F10 批准盘点。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="728"/>
        <source>{packs} x {pack} = {units} units.</source>
        <translation>{packs} x {pack} = {units} 件。</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="743"/>
        <source>all products</source>
        <translation>全部商品</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="745"/>
        <source>what is scanned</source>
        <translation>扫描的商品</translation>
    </message>
</context>
<context>
    <name>refusals</name>
    <message>
        <location filename="../refusals.py" line="25"/>
        <source>no weight of {0} at ${1}/kg costs the ${2} on the label: weigh it again</source>
        <translation>{0} 公斤、单价 ${1}/公斤，算不出标签上的 ${2}：请重新称重</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="28"/>
        <source>no product has barcode {0}: scan again or search by name</source>
        <translation>没有条码为 {0} 的商品：请重新扫描或按名称搜索</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="29"/>
        <source>{0} is sold by weight: type the weight in kg</source>
        <translation>{0} 按重量出售：请输入重量（公斤）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="30"/>
        <source>{0} has no list price: ring it by weight instead</source>
        <translation>{0} 没有标价：请改为按重量录入</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="31"/>
        <source>the scale label {0} is for item {1}, which is not in this till&apos;s catalogue: weigh it again or ring it by name</source>
        <translation>秤标签 {0} 对应商品 {1}，本收银机的商品目录中没有：请重新称重或按名称录入</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="35"/>
        <source>a scale label carries its own weight or price: scan it alone</source>
        <translation>秤标签已带重量或价格：请单独扫描</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="36"/>
        <source>the cart is empty: there is nothing to park</source>
        <translation>购物车是空的：没有可挂单的商品</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="37"/>
        <source>finish or park the current cart before recalling another</source>
        <translation>请先完成或挂起当前购物车，再取回另一单</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="38"/>
        <source>PayNow is not set up for this outlet (no UEN); take another tender</source>
        <translation>本门店未设置 PayNow（没有 UEN）：请改用其他付款方式</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="41"/>
        <source>the cart is empty: scan an item first</source>
        <translation>购物车是空的：请先扫描商品</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="42"/>
        <source>the label carries a weight, but {0} is sold by unit</source>
        <translation>标签带有重量，但 {0} 按件出售</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="43"/>
        <source>the label says ${0}, which is not a whole number of {1} at ${2}: ring it by hand</source>
        <translation>标签金额为 ${0}，按单价 ${2} 不是整数件的 {1}：请手动录入</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="47"/>
        <source>that parked cart was already recalled</source>
        <translation>该挂单已被取回</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="48"/>
        <source>this till has no identity yet: enrol it (sgpos-install) or run the demo</source>
        <translation>本收银机尚无身份：请登记（sgpos-install）或运行演示</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="51"/>
        <source>this till has not received its outlet&apos;s settings yet; connect it to head office once (sgpos-sync once) and try again</source>
        <translation>本收银机尚未收到门店设置；请连接总部一次（sgpos-sync once）后再试</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="55"/>
        <source>the {0} is too long (at most {1} characters)</source>
        <translation>{0}太长（最多 {1} 个字符）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="56"/>
        <source>the {0} contains an invisible character ({1})</source>
        <translation>{0}含有不可见字符（{1}）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="57"/>
        <source>type the member&apos;s name (or the contact person&apos;s)</source>
        <translation>请输入会员姓名（或联系人姓名）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="58"/>
        <source>{0} is not an e-mail address</source>
        <translation>{0} 不是电邮地址</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="59"/>
        <source>a mobile number or e-mail is kept only with the member&apos;s consent: tick &apos;agrees to be contacted&apos; after asking, or leave them out</source>
        <translation>手机号码或电邮须经会员同意才能保存：询问后勾选“同意接收联系”，否则不要填写</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="63"/>
        <source>marketing needs a mobile number or e-mail to send it to</source>
        <translation>营销信息需要手机号码或电邮才能发送</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="64"/>
        <source>the address has at most 4 lines</source>
        <translation>地址最多 4 行</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="65"/>
        <source>a business customer needs the company&apos;s address for a tax invoice: type it</source>
        <translation>企业顾客开税务发票需要公司地址：请输入</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="68"/>
        <source>an address is kept for a business customer: type the company</source>
        <translation>只有企业顾客才保存地址：请输入公司名称</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="69"/>
        <source>a UEN belongs to a company: type the company name too</source>
        <translation>UEN 属于公司：请同时输入公司名称</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="70"/>
        <source>{0} is not a GST registration number</source>
        <translation>{0} 不是消费税注册号</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="71"/>
        <source>type at least 2 letters of the name, or the mobile number</source>
        <translation>请至少输入姓名的 2 个字母，或手机号码</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="72"/>
        <source>that customer is not on this till</source>
        <translation>该顾客不在本收银机上</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="73"/>
        <source>{0} already withdrew their consent</source>
        <translation>{0} 已撤回同意</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="74"/>
        <source>{0} is already member {1} ({2}): find them instead of enrolling again</source>
        <translation>{0} 已是会员 {1}（{2}）：请查找该会员，不要重复登记</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="77"/>
        <source>no sale on this till has receipt number {0}; check the number</source>
        <translation>本收银机没有收据号为 {0} 的交易；请核对号码</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="78"/>
        <source>{0} is too long for a receipt number</source>
        <translation>{0} 太长，不是收据号</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="79"/>
        <source>no receipt on this till ends in {0}; check the number on the receipt</source>
        <translation>本收银机没有以 {0} 结尾的收据；请核对收据上的号码</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="82"/>
        <source>{0} could be {1}: type more of the number (e.g. {2}) or choose it in the list</source>
        <translation>{0} 可能是 {1}：请多输入几位号码（例如 {2}）或在列表中选择</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="85"/>
        <source>{0} is a refund slip: only a sale has a tax invoice</source>
        <translation>{0} 是退款单：只有销售交易才有税务发票</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="86"/>
        <source>{0} is not GST-registered, so it issues no tax invoices</source>
        <translation>{0} 未注册消费税，因此不开税务发票</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="87"/>
        <source>sale {0} was not made out to a business customer: a full tax invoice needs the company&apos;s name and address, attached (F6) before payment</source>
        <translation>交易 {0} 不是开给企业顾客的：完整税务发票需要在付款前加入（F6）公司名称和地址</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="91"/>
        <source>choose at least one item and quantity to refund</source>
        <translation>请至少选择一件商品和退款数量</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="92"/>
        <source>voiding sale {0}</source>
        <translation>作废交易 {0}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="93"/>
        <source>refunding {0} without a receipt</source>
        <translation>无收据退还 {0}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="94"/>
        <source>say why the goods are refunded (e.g. &apos;damaged&apos;, &apos;wrong size&apos;)</source>
        <translation>请说明退货原因（例如“损坏”、“尺码不对”）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="95"/>
        <source>refunds cannot be paid back as {0}</source>
        <translation>退款不能以{0}退还</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="96"/>
        <source>sale {0} has already been fully refunded</source>
        <translation>交易 {0} 已全部退款</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="97"/>
        <source>that item is not on receipt {0}</source>
        <translation>该商品不在收据 {0} 上</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="98"/>
        <source>no shift is open: open a shift with the cash float first</source>
        <translation>尚未开班：请先放入备用金开班</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="99"/>
        <source>not Singapore denominations: {0}</source>
        <translation>不是新加坡币面额：{0}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="100"/>
        <source>a count must be between 0 and 100,000 pieces</source>
        <translation>数量必须在 0 到 100,000 之间</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="101"/>
        <source>the opening float cannot be negative</source>
        <translation>开班备用金不能为负数</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="102"/>
        <source>cash moves either in or out of the drawer</source>
        <translation>现金只能存入或取出钱箱</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="103"/>
        <source>enter an amount above $0.00</source>
        <translation>请输入大于 $0.00 的金额</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="104"/>
        <source>say why the cash is moving (e.g. &apos;bank deposit&apos;, &apos;change top-up&apos;)</source>
        <translation>请说明现金进出的原因（例如“存入银行”、“补充零钱”）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="107"/>
        <source>a shift is already open: close it (Z report) first</source>
        <translation>已有班次开启：请先交班（Z 报表）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="108"/>
        <source>that shift is not closed: its Z report does not exist yet</source>
        <translation>该班次尚未交班：还没有 Z 报表</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="109"/>
        <source>the drawer is {0} against the expected {1}</source>
        <translation>钱箱与应有的 {1} 相差 {0}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="110"/>
        <source>a PIN is 4 to 8 digits</source>
        <translation>密码为 4 到 8 位数字</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="111"/>
        <source>{0} ({1}) cannot approve this: it needs a {2}. Ask one to type their staff code and PIN</source>
        <translation>{0}（{1}）无权批准此操作：需要{2}。请该人员输入员工编号和密码</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="115"/>
        <source>no staff member has the code {0}</source>
        <translation>没有员工编号为 {0} 的员工</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="116"/>
        <source>{0} is deactivated; ask a manager</source>
        <translation>{0} 已停用；请联系经理</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="117"/>
        <source>{0} is locked out after wrong PINs until {1}</source>
        <translation>{0} 因密码错误被锁定，直到 {1}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="118"/>
        <source>wrong PIN: {0} is locked out for 5 minutes</source>
        <translation>密码错误：{0} 被锁定 5 分钟</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="119"/>
        <source>wrong PIN ({0} {1} left)</source>
        <translation>密码错误（还可尝试 {0} 次）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="120"/>
        <source>{0} is a manager&apos;s job</source>
        <translation>{0}需由经理处理</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="121"/>
        <source>{0} is not a manager and cannot approve this</source>
        <translation>{0} 不是经理，无权批准</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="122"/>
        <source>scan at least one item first</source>
        <translation>请至少先扫描一件商品</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="123"/>
        <source>at most {0} lines at a time: split it into two</source>
        <translation>每次最多 {0} 行：请分成两次</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="124"/>
        <source>{0} is not an outlet code: type the receiving outlet&apos;s code, e.g. ORC</source>
        <translation>{0} 不是门店代码：请输入接收门店的代码，例如 ORC</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="127"/>
        <source>{0}: the quantity must be more than zero</source>
        <translation>{0}：数量必须大于零</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="128"/>
        <source>{0} is more than {1} units: check the quantity</source>
        <translation>{0} 超过 {1} 个单位：请核对数量</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="129"/>
        <source>{0}: quantities go to three decimals (grams) at most</source>
        <translation>{0}：数量最多三位小数（克）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="130"/>
        <source>{0}: this product is counted in whole units</source>
        <translation>{0}：该商品按整件计数</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="131"/>
        <source>{0}: a cost is dollars and cents per unit, e.g. 1.85</source>
        <translation>{0}：成本为每单位的元和分，例如 1.85</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="132"/>
        <source>{0} per unit is more than $100,000: check the cost</source>
        <translation>{0} 每单位超过 $100,000：请核对成本</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="133"/>
        <source>{0} is not a quantity: type units (12), kg (1.250) or packs x units (3x24)</source>
        <translation>{0} 不是数量：请输入件数（12）、公斤（1.250）或 包数x每包数量（3x24）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="136"/>
        <source>{0} is not a cost: type dollars per unit, e.g. 1.85</source>
        <translation>{0} 不是成本：请输入每单位的金额，例如 1.85</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="137"/>
        <source>scan an item&apos;s barcode first</source>
        <translation>请先扫描商品条码</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="138"/>
        <source>no product has barcode {0}: scan again or check the label</source>
        <translation>没有条码为 {0} 的商品：请重新扫描或检查标签</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="139"/>
        <source>type the cost per unit of {0} (from the invoice)</source>
        <translation>请输入 {0} 的单位成本（见发票）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="140"/>
        <source>choose a reason: {0}</source>
        <translation>请选择原因：{0}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="141"/>
        <source>this adjustment is worth ${0} at cost, above the till&apos;s limit of ${1}</source>
        <translation>此调整按成本价值 ${0}，超过收银机上限 ${1}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="144"/>
        <source>the quantity must be more than zero</source>
        <translation>数量必须大于零</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="145"/>
        <source>a transfer goes to another outlet, not this one</source>
        <translation>调拨只能调往其他门店，不能调往本店</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="146"/>
        <source>{0} is not a transfer number: type it from the dispatch note, e.g. TR-ORC-T01-000012</source>
        <translation>{0} 不是调拨单号：请按发货单输入，例如 TR-ORC-T01-000012</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="150"/>
        <source>that transfer was sent by this outlet: it is received elsewhere</source>
        <translation>该调拨单由本门店发出：应在其他门店接收</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="153"/>
        <source>no such stocktake</source>
        <translation>没有这个盘点</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="154"/>
        <source>a stocktake is already open: finish or cancel it first</source>
        <translation>已有盘点进行中：请先完成或取消</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="155"/>
        <source>this stocktake is no longer open: start a new one</source>
        <translation>此盘点已结束：请开始新的盘点</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="156"/>
        <source>{0} is not in the category being counted: put it aside</source>
        <translation>{0} 不属于正在盘点的类别：请放到一边</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="157"/>
        <source>this stocktake is no longer open</source>
        <translation>此盘点已结束</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="158"/>
        <source>more than {0} products differ: count by category</source>
        <translation>超过 {0} 种商品有差异：请按类别盘点</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="159"/>
        <source>{0} is a pack of a product this till no longer sells: set it aside and ask head office</source>
        <translation>{0} 是本收银机已不再销售的商品的整箱包装：请放到一边并询问总部</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="163"/>
        <source>no category is called {0}</source>
        <translation>没有名为 {0} 的类别</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="164"/>
        <source>there is no till store in {0}; choose the till&apos;s data folder</source>
        <translation>{0} 中没有收银机数据库；请选择收银机的数据文件夹</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="165"/>
        <source>the folder {0} does not exist; choose an existing folder</source>
        <translation>文件夹 {0} 不存在；请选择已有的文件夹</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="166"/>
        <source>could not write the support bundle to {0} ({1}); check there is space and that the folder (or USB stick) is writable</source>
        <translation>无法把支持数据包写入 {0}（{1}）；请检查空间是否足够，以及文件夹（或 U 盘）是否可写</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="170"/>
        <source>enter the {0} in dollars, e.g. 20.00</source>
        <translation>请输入{0}（元），例如 20.00</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="171"/>
        <source>Sign in first</source>
        <translation>请先登录</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="172"/>
        <source>{0} is not an {1}: type dollars and cents, e.g. 12.50</source>
        <translation>{0} 不是{1}：请输入元和分，例如 12.50</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="173"/>
        <source>{0} is not a quantity: type a number, e.g. 3 or 0.875 kg</source>
        <translation>{0} 不是数量：请输入数字，例如 3 或 0.875 公斤</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="174"/>
        <source>There is no sale to pay</source>
        <translation>没有要付款的交易</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="175"/>
        <source>Nothing is due: the sale is paid</source>
        <translation>没有应付金额：这笔交易已付清</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="176"/>
        <source>{0} can take at most {1} here: it gives no change</source>
        <translation>{0}在此最多只能收 {1}：不找零</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="177"/>
        <source>Scan or type a barcode</source>
        <translation>请扫描或输入条码</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="178"/>
        <source>Cancelled: nothing was changed</source>
        <translation>已取消：没有任何更改</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="179"/>
        <source>Choose a line first (Up/Down)</source>
        <translation>请先选择一行（上/下键）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="180"/>
        <source>{0} is not a weight: type kg, e.g. 0.500</source>
        <translation>{0} 不是重量：请输入公斤数，例如 0.500</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="181"/>
        <source>{0} kg is finer than a gram: type up to 3 decimals, e.g. 0.505</source>
        <translation>{0} 公斤精确到克以下：最多输入三位小数，例如 0.505</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="182"/>
        <source>{0} kg is not a weight the scale shows: type from 0.001 to {1} kg (0.5 for half a kilo)</source>
        <translation>{0} 公斤不是秤能显示的重量：请输入 0.001 到 {1} 公斤（半公斤输入 0.5）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="186"/>
        <source>{0} is not a percentage: type e.g. 10%</source>
        <translation>{0} 不是百分比：请输入例如 10%</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="187"/>
        <source>start the count first (F9)</source>
        <translation>请先开始盘点（F9）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="188"/>
        <source>start a count first (F9), then scan the shelves</source>
        <translation>请先开始盘点（F9），再扫描货架</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="189"/>
        <source>type the cost per unit of {0} first, then scan it again</source>
        <translation>请先输入 {0} 的单位成本，再重新扫描</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="190"/>
        <source>{0}: a manager must approve with their PIN</source>
        <translation>{0}：须由经理输入密码批准</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="191"/>
        <source>quantity {0} must be more than zero</source>
        <translation>数量 {0} 必须大于零</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="192"/>
        <source>quantity {0}: whole units from 1 to {1} only</source>
        <translation>数量 {0}：只能是 1 到 {1} 的整数</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="193"/>
        <source>line {0} is not in this cart</source>
        <translation>第 {0} 行不在此购物车中</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="194"/>
        <source>a discount is either a percentage or an amount</source>
        <translation>折扣只能是百分比或金额之一</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="195"/>
        <source>a discount of {0}% is not between 0 and 100</source>
        <translation>{0}% 的折扣不在 0 到 100 之间</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="196"/>
        <source>a discount amount must be more than zero</source>
        <translation>折扣金额必须大于零</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="197"/>
        <source>weight {0} kg: use up to 3 decimals and {1} kg</source>
        <translation>重量 {0} 公斤：最多三位小数，且不超过 {1} 公斤</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="198"/>
        <source>a price cannot be negative; use a refund instead</source>
        <translation>价格不能为负数；请改用退款</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="199"/>
        <source>${0} is more than this till allows for {1} (at most ${2}; its list price is ${3}): check the price and type it again</source>
        <translation>${0} 超过本收银机对 {1} 允许的价格（最多 ${2}；标价 ${3}）：请核对价格后重新输入</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="203"/>
        <source>changing the price of {0} from ${1} to ${2}</source>
        <translation>把 {0} 的价格从 ${1} 改为 ${2}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="204"/>
        <source>a discount of {0} on {1} is more than the {2}% cashiers may give</source>
        <translation>对 {1} 折扣 {0}，超过收银员可给的 {2}%</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="207"/>
        <source>${0} is still due: take another payment before completing</source>
        <translation>尚需支付 ${0}：请先收取其他付款再完成交易</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="208"/>
        <source>non-cash payments of ${0} exceed the ${1} due; card, NETS, PayNow and vouchers give no change</source>
        <translation>非现金付款 ${0} 超过应付的 ${1}；信用卡、NETS、PayNow 和消费券不找零</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="212"/>
        <source>a {0} payment must be more than $0.00</source>
        <translation>{0}付款必须大于 $0.00</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="213"/>
        <source>record only the last 4 digits of a card, never the full number</source>
        <translation>只记录信用卡的末 4 位数字，切勿记录完整卡号</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="214"/>
        <source>only a card or NETS payment has card digits</source>
        <translation>只有信用卡或 NETS 付款才有卡号数字</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="215"/>
        <source>enter the approval code printed by the {0} terminal</source>
        <translation>请输入{0}刷卡机打印的授权码</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="216"/>
        <source>enter the voucher&apos;s reference (the voucher app&apos;s transaction ID)</source>
        <translation>请输入消费券的参考号（消费券应用的交易编号）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="219"/>
        <source>confirm that the PayNow transfer has arrived before accepting it</source>
        <translation>请先确认 PayNow 转账已到账，再接受付款</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="222"/>
        <source>{0}: {1} asked but only {2} of {3} sold is left to refund</source>
        <translation>{0}：要退 {1}，但已售 {3} 中只剩 {2} 可退</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="223"/>
        <source>this sale&apos;s promotions were kept in a form (version {0}) this till does not read: upgrade the till before refunding it</source>
        <translation>这笔销售的促销记录格式（版本 {0}）本收银机无法读取：请先升级收银机再退款</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="227"/>
        <source>the {0} looks like an NRIC or FIN number: the shop must not record one (PDPA). Leave it out</source>
        <translation>{0}看起来像身份证（NRIC）或 FIN 号码：本店不得记录（个人资料保护法 PDPA）。请不要填写</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="231"/>
        <source>{0} is not a mobile number: type its 8 digits, e.g. 9123 4567</source>
        <translation>{0} 不是手机号码：请输入 8 位数字，例如 9123 4567</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="232"/>
        <source>{0} is not a mobile number (Singapore mobiles start with 8 or 9)</source>
        <translation>{0} 不是手机号码（新加坡手机号以 8 或 9 开头）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="235"/>
        <source>{0} is not a UEN: it is 9 or 10 characters, e.g. 53312345K, 201912345K or T09LL1234A</source>
        <translation>{0} 不是 UEN：应为 9 或 10 个字符，例如 53312345K、201912345K 或 T09LL1234A</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="239"/>
        <source>{0} is not a Singapore number: only +65 mobile numbers are kept</source>
        <translation>{0} 不是新加坡号码：只保存 +65 手机号码</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="242"/>
        <source>{0} is not a member number (like M-ORC-T01-00012)</source>
        <translation>{0} 不是会员号（格式如 M-ORC-T01-00012）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="243"/>
        <source>a value check digit covers 4 or 5 digits, not {0}</source>
        <translation>数值校验位只适用于 4 或 5 位数，不是 {0}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="244"/>
        <source>item code {0} must be {1} digits</source>
        <translation>商品代码 {0} 必须为 {1} 位数</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="245"/>
        <source>{0} does not fit {1} digits</source>
        <translation>{0} 超出 {1} 位数</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="246"/>
        <source>the label {0} did not scan cleanly (check digit): scan again</source>
        <translation>标签 {0} 扫描不完整（校验位不符）：请重新扫描</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="247"/>
        <source>the {0} on label {1} did not scan cleanly (its check digit): scan again</source>
        <translation>标签 {1} 上的{0}扫描不完整（校验位不符）：请重新扫描</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="250"/>
        <source>a scale prefix is 20 to 29, not {0}</source>
        <translation>秤条码前缀为 20 到 29，不是 {0}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="251"/>
        <source>item code of {0} digits: use 1 to 6</source>
        <translation>商品代码 {0} 位：请用 1 到 6 位</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="252"/>
        <source>GS1 defines a value check digit for 4- or 5-digit values only: {0} item digits leave {1}</source>
        <translation>GS1 只为 4 或 5 位数值定义校验位：商品代码 {0} 位，剩下 {1} 位</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="256"/>
        <source>{0} decimals: use 0 to 3</source>
        <translation>{0} 位小数：请用 0 到 3 位</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="257"/>
        <source>the till&apos;s database is busy (another program is writing to it); nothing was saved — try again in a moment</source>
        <translation>收银机数据库正忙（另一个程序正在写入）；没有保存任何内容——请稍后再试</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="261"/>
        <source>the disk is full, so nothing was saved; free some space (or call support) and try again — the cart is still here</source>
        <translation>磁盘已满，没有保存任何内容；请释放空间（或联系技术支持）后再试——购物车仍在</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="265"/>
        <source>the till cannot write its database: {0}, so nothing was saved; {1}</source>
        <translation>收银机无法写入数据库：{0}，因此没有保存任何内容；{1}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="268"/>
        <source>the till cannot open its database ({0}); check the data folder</source>
        <translation>收银机无法打开数据库（{0}）；请检查数据文件夹</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="269"/>
        <source>this till has no identity yet: enrol it (sgpos-install) or start the demo</source>
        <translation>本收银机尚无身份：请登记（sgpos-install）或启动演示</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="272"/>
        <source>{0} cannot be opened. Check the cable, that the printer is switched on and that serial_device in till.toml names the right port, then press Retry.</source>
        <translation>{0}无法打开。请检查连接线、打印机是否已开启，以及 till.toml 中的 serial_device 是否为正确的端口，然后按“重试”。</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="276"/>
        <source>{0} does not answer. Check it is switched on and connected, then press Retry.</source>
        <translation>{0}没有响应。请检查它已开启并已连接，然后按“重试”。</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="279"/>
        <source>{0} is not connected. Check the USB cable and that the printer is switched on, then press Retry.</source>
        <translation>{0}未连接。请检查 USB 线以及打印机是否已开启，然后按“重试”。</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="283"/>
        <source>The receipt printer address {0} is not known on this network. Check host in the [printer] part of till.toml.</source>
        <translation>此网络上找不到收据打印机地址 {0}。请检查 till.toml 中 [printer] 部分的 host。</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="287"/>
        <source>{0} did not answer within {1} s. Check it is switched on and connected to the network, then press Retry.</source>
        <translation>{0}在 {1} 秒内没有响应。请检查它已开启并已连接网络，然后按“重试”。</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="291"/>
        <source>USB printing needs libusb, which is missing on this computer. Ask your technician to install it, or set up the printer as a network printer.</source>
        <translation>USB 打印需要 libusb，但这台电脑上没有。请技术人员安装，或把打印机设置为网络打印机。</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="295"/>
        <source>USB printing is not available on this till: {0}</source>
        <translation>本收银机无法使用 USB 打印：{0}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="296"/>
        <source>This till is not allowed to use {0}. Ask your technician to give the till&apos;s user access to it (a udev rule on Linux), then press Retry.</source>
        <translation>本收银机无权使用{0}。请技术人员为收银机的用户开通权限（Linux 上的 udev 规则），然后按“重试”。</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="300"/>
        <source>No receipt printer is set up; use PDF or set [printer] in till.toml</source>
        <translation>未设置收据打印机；请使用 PDF，或在 till.toml 中设置 [printer]</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="303"/>
        <source>{0} is out of paper. Load a new roll and close the cover, then press Retry.</source>
        <translation>{0}缺纸。请装上新纸卷并合上盖子，然后按“重试”。</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="306"/>
        <source>{0} ran out of paper while printing. Load a new roll and close the cover; if the print-out does not come out complete, press Retry.</source>
        <translation>{0}打印时缺纸。请装上新纸卷并合上盖子；如果打印内容不完整，请按“重试”。</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="310"/>
        <source>the receipt printer</source>
        <translation>收据打印机</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="311"/>
        <source>the receipt printer at {0}:{1}</source>
        <translation>位于 {0}:{1} 的收据打印机</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="312"/>
        <source>the USB receipt printer {0}</source>
        <translation>USB 收据打印机 {0}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="313"/>
        <source>the receipt printer on {0}</source>
        <translation>位于 {0} 的收据打印机</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="314"/>
        <source>void of {0}</source>
        <translation>{0} 的作废单</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="315"/>
        <source>refund of {0}</source>
        <translation>{0} 的退款单</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="316"/>
        <source>no receipt</source>
        <translation>无收据</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="317"/>
        <source>refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="318"/>
        <source>voided</source>
        <translation>已作废</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="319"/>
        <source>name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="320"/>
        <source>e-mail</source>
        <translation>电邮</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="321"/>
        <source>purpose</source>
        <translation>用途</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="322"/>
        <source>company name</source>
        <translation>公司名称</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="323"/>
        <source>address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="324"/>
        <source>amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="325"/>
        <source>amount of discount</source>
        <translation>折扣金额</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="326"/>
        <source>cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="327"/>
        <source>supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="328"/>
        <source>manager</source>
        <translation>经理</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="329"/>
        <source>manager or supervisor</source>
        <translation>经理或主管</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="330"/>
        <source>{0} items</source>
        <translation>{0} 件商品</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="331"/>
        <source>saved ${0}</source>
        <translation>节省 ${0}</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="332"/>
        <source>saved ${0} ({1} times)</source>
        <translation>节省 ${0}（{1} 次）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="333"/>
        <source>saved ${0} (capped: a set never saves more than its cheapest item)</source>
        <translation>节省 ${0}（有上限：一套商品的优惠不超过其中最便宜的一件）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="336"/>
        <source>saved ${0} ({1} times) (capped: a set never saves more than its cheapest item)</source>
        <translation>节省 ${0}（{1} 次）（有上限：一套商品的优惠不超过其中最便宜的一件）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="339"/>
        <source>spend ${0} on what it covers; this basket has ${1} (${2} more)</source>
        <translation>所涵盖商品须消费 ${0}；本单为 ${1}（还差 ${2}）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="340"/>
        <source>{0} saves more and they do not combine</source>
        <translation>{0} 更省，两者不能同时使用</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="341"/>
        <source>none of its items is in the basket</source>
        <translation>购物篮中没有它的商品</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="342"/>
        <source>its items went to {0}, which saves the customer more</source>
        <translation>它的商品已用于 {0}，对顾客更省</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="343"/>
        <source>needs {0} of its items; the basket has {1}</source>
        <translation>需要 {0} 件它的商品；购物篮中有 {1} 件</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="344"/>
        <source>needs {0} bought and {1} to get; the basket has {2}</source>
        <translation>需要购买 {0} 件并另取 {1} 件；购物篮中有 {2} 件</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="345"/>
        <source>the basket does not hold every item of the bundle</source>
        <translation>购物篮中没有齐全套装的每件商品</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="346"/>
        <source>its items already sell at or below its price</source>
        <translation>它的商品售价已不高于促销价</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="347"/>
        <source>starts {0} SGT</source>
        <translation>{0} 开始</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="348"/>
        <source>ended {0} SGT</source>
        <translation>已于 {0} 结束</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="349"/>
        <source>runs on {0} only</source>
        <translation>仅在 {0} 进行</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="350"/>
        <source>runs {0}-{1} SGT only</source>
        <translation>仅在 {0}-{1} 进行</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="351"/>
        <source>points can pay only for a member&apos;s sale: attach the member first</source>
        <translation>积分只能用于会员的销售：请先关联会员</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="354"/>
        <source>${0} is not a whole number of points at ${1} a point</source>
        <translation>${0} 不是整数积分（每积分 ${1}）</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="355"/>
        <source>that line is not on {0}: pick the order again</source>
        <translation>该行不在 {0} 上：请重新选择订单</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="356"/>
        <source>nothing of {0} was counted in: scan what arrived</source>
        <translation>{0} 没有收货记录：请扫描到货商品</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="357"/>
        <source>{0}: a delivery cannot be negative</source>
        <translation>{0}：送货数量不能为负</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="358"/>
        <source>{0} is not on {1}: set it aside, and receive it without an order after saving this one</source>
        <translation>{0} 不在 {1} 上：请先放在一旁，保存本单后再以无订单方式收货</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="362"/>
        <source>{0} holds {1} of {2}, which is not on {3}: set it aside, and receive it without an order after saving this one</source>
        <translation>{0} 装有 {1} 个 {2}，而 {2} 不在 {3} 上：请先放在一旁，保存本单后再以无订单方式收货</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="366"/>
        <source>{0}: type how many cartons came (2), then scan the carton</source>
        <translation>{0}：请输入到货箱数（如 2），再扫描箱子</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="367"/>
        <source>a gift voucher is sold one at a time: scan each voucher</source>
        <translation>礼券须逐张出售：请逐张扫描</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="368"/>
        <source>{0} cannot be refunded or voided at the till: ask head office to void the voucher, then refund it from the office</source>
        <translation>{0} 不能在收银机退款或作废：请总部先作废该礼券，再由办公室退款</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="372"/>
        <source>scan or type the gift voucher&apos;s serial number</source>
        <translation>请扫描或输入礼券序列号</translation>
    </message>
    <message>
        <location filename="../refusals.py" line="373"/>
        <source>gift voucher {0} is already in this sale</source>
        <translation>礼券 {0} 已在本次销售中</translation>
    </message>
</context>
<context>
    <name>till</name>
    <message>
        <location filename="../main_window.py" line="69"/>
        <source>Receipts</source>
        <translation>收据</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="70"/>
        <source>Shift</source>
        <translation>班次</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="71"/>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="72"/>
        <source>Diagnostics</source>
        <translation>诊断</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="73"/>
        <source>Sign out</source>
        <translation>登出</translation>
    </message>
    <message>
        <location filename="../payment.py" line="50"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../payment.py" line="51"/>
        <source>NETS</source>
        <translation>NETS</translation>
    </message>
    <message>
        <location filename="../payment.py" line="52"/>
        <source>Card</source>
        <translation>信用卡</translation>
    </message>
    <message>
        <location filename="../payment.py" line="53"/>
        <source>CDC voucher</source>
        <translation>CDC 消费券</translation>
    </message>
    <message>
        <location filename="../payment.py" line="54"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../payment.py" line="55"/>
        <source>Gift voucher</source>
        <translation>礼券</translation>
    </message>
    <message>
        <location filename="../payment.py" line="56"/>
        <source>Remove payment</source>
        <translation>撤销付款</translation>
    </message>
    <message>
        <location filename="../payment.py" line="57"/>
        <source>Back to cart</source>
        <translation>返回购物车</translation>
    </message>
    <message>
        <location filename="../payment.py" line="65"/>
        <source>cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../payment.py" line="66"/>
        <source>nets</source>
        <translation>NETS</translation>
    </message>
    <message>
        <location filename="../payment.py" line="67"/>
        <source>card</source>
        <translation>信用卡</translation>
    </message>
    <message>
        <location filename="../payment.py" line="68"/>
        <source>paynow</source>
        <translation>PayNow</translation>
    </message>
    <message>
        <location filename="../payment.py" line="69"/>
        <source>voucher</source>
        <translation>消费券</translation>
    </message>
    <message>
        <location filename="../payment.py" line="70"/>
        <source>Nets</source>
        <translation>NETS</translation>
    </message>
    <message>
        <location filename="../payment.py" line="71"/>
        <source>Paynow</source>
        <translation>PayNow</translation>
    </message>
    <message>
        <location filename="../payment.py" line="72"/>
        <source>Voucher</source>
        <translation>消费券</translation>
    </message>
    <message>
        <location filename="../payment.py" line="73"/>
        <source>CASH</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../payment.py" line="74"/>
        <source>CARD</source>
        <translation>信用卡</translation>
    </message>
    <message>
        <location filename="../payment.py" line="75"/>
        <source>PAYNOW</source>
        <translation>PayNow</translation>
    </message>
    <message>
        <location filename="../payment.py" line="76"/>
        <source>VOUCHER</source>
        <translation>消费券</translation>
    </message>
    <message>
        <location filename="../payment.py" line="79"/>
        <source>Amount (empty = all that is due), then Enter for cash or F2 NETS, F3 card, F4 PayNow, F5 CDC voucher, F6 a member&apos;s points, F7 a gift voucher</source>
        <translation>输入金额（留空 = 全部应付），然后按 Enter 收现金，或 F2 NETS、F3 信用卡、F4 PayNow、F5 CDC 购物券、F6 会员积分、F7 礼券</translation>
    </message>
    <message>
        <location filename="../sell.py" line="56"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../sell.py" line="57"/>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../sell.py" line="58"/>
        <location filename="../sell_cart.py" line="27"/>
        <source>Discount</source>
        <translation>折扣</translation>
    </message>
    <message>
        <location filename="../sell.py" line="59"/>
        <location filename="../sell_cart.py" line="26"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../sell.py" line="60"/>
        <source>Remove line</source>
        <translation>删除商品</translation>
    </message>
    <message>
        <location filename="../sell.py" line="61"/>
        <source>Sale discount</source>
        <translation>整单折扣</translation>
    </message>
    <message>
        <location filename="../sell.py" line="62"/>
        <source>Customer</source>
        <translation>顾客</translation>
    </message>
    <message>
        <location filename="../sell.py" line="63"/>
        <source>Promotions</source>
        <translation>促销</translation>
    </message>
    <message>
        <location filename="../sell.py" line="64"/>
        <source>Park</source>
        <translation>挂单</translation>
    </message>
    <message>
        <location filename="../sell.py" line="65"/>
        <source>Recall</source>
        <translation>取单</translation>
    </message>
    <message>
        <location filename="../sell.py" line="66"/>
        <source>Pay</source>
        <translation>付款</translation>
    </message>
    <message>
        <location filename="../sell.py" line="75"/>
        <source>Quantity (or weight in kg) for</source>
        <translation>数量（或重量，公斤）：</translation>
    </message>
    <message>
        <location filename="../sell.py" line="76"/>
        <source>Discount (10% or 2.00) for</source>
        <translation>折扣（10% 或 2.00）：</translation>
    </message>
    <message>
        <location filename="../sell.py" line="77"/>
        <source>New unit price for</source>
        <translation>新单价：</translation>
    </message>
    <message>
        <location filename="../sell.py" line="78"/>
        <source>Discount on the whole sale (10% or 2.00)</source>
        <translation>整单折扣（10% 或 2.00）</translation>
    </message>
    <message>
        <location filename="../sell.py" line="79"/>
        <source>Weight in kg (e.g. 0.500) of</source>
        <translation>重量，公斤（例如 0.500）：</translation>
    </message>
    <message>
        <location filename="../sell_cart.py" line="24"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../sell_cart.py" line="25"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../sell_cart.py" line="28"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../approval.py" line="35"/>
        <source>Discount above the outlet&apos;s limit</source>
        <translation>折扣超过门店上限</translation>
    </message>
    <message>
        <location filename="../approval.py" line="38"/>
        <source>Price override</source>
        <translation>改价</translation>
    </message>
    <message>
        <location filename="../approval.py" line="39"/>
        <source>Void a sale</source>
        <translation>作废交易</translation>
    </message>
    <message>
        <location filename="../approval.py" line="40"/>
        <source>Refund without a receipt</source>
        <translation>无收据退款</translation>
    </message>
    <message>
        <location filename="../approval.py" line="41"/>
        <source>Cash variance above the outlet&apos;s limit</source>
        <translation>现金差额超过门店上限</translation>
    </message>
    <message>
        <location filename="../approval.py" line="44"/>
        <source>Stock: receive, count or transfer goods</source>
        <translation>库存：收货、盘点或调拨</translation>
    </message>
    <message>
        <location filename="../approval.py" line="47"/>
        <source>Stock adjustment above the till&apos;s limit</source>
        <translation>库存调整超过收银机上限</translation>
    </message>
    <message>
        <location filename="../recent_receipts.py" line="27"/>
        <source>Receipt</source>
        <translation>收据</translation>
    </message>
    <message>
        <location filename="../recent_receipts.py" line="28"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../recent_receipts.py" line="29"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../recent_receipts.py" line="30"/>
        <source>Paid by</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <location filename="../recent_receipts.py" line="31"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="62"/>
        <source>Receive goods</source>
        <translation>收货</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="64"/>
        <source>supplier&apos;s delivery order or invoice number</source>
        <translation>供应商送货单或发票号</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="67"/>
        <source>Adjust stock</source>
        <translation>调整库存</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="69"/>
        <source>note (optional)</source>
        <translation>备注（选填）</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="71"/>
        <source>Stocktake</source>
        <translation>盘点</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="73"/>
        <source>Send a transfer</source>
        <translation>调出</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="75"/>
        <source>outlet code it goes to, e.g. JUR</source>
        <translation>调往门店代码，例如 JUR</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="78"/>
        <source>Take in a transfer</source>
        <translation>调入</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="80"/>
        <source>transfer number from the dispatch note</source>
        <translation>发货单上的调拨单号</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="85"/>
        <source>No purchase order (type the cost per unit)</source>
        <translation>无采购订单（请输入单位成本）</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="88"/>
        <source>All products</source>
        <translation>全部商品</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="89"/>
        <source>Only what is scanned (a shelf list)</source>
        <translation>仅扫描的商品（货架清单）</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="93"/>
        <source>damaged</source>
        <translation>损坏</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="94"/>
        <source>expired</source>
        <translation>过期</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="95"/>
        <source>theft</source>
        <translation>失窃</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="96"/>
        <source>own use</source>
        <translation>自用</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="97"/>
        <source>sample</source>
        <translation>样品</translation>
    </message>
    <message>
        <location filename="../stock_view.py" line="98"/>
        <source>found</source>
        <translation>盘盈</translation>
    </message>
</context>
</TS>
