"""Running text for the layout development set (bench/make_layout_set.py).

Modern and classical Chinese and plain English prose written for this project or in the
public domain (千字文, 三字經, 道德經). What is rendered is the ground truth, so the
text only has to look like the books: punctuation, mixed digits and Latin, names.
"""

ZH_MODERN = [
    "图书馆的古籍数字化工作始于二十世纪九十年代。最初的做法是把善本拍成缩微胶片，"
    "读者在阅览室里借助阅读机查看，检索只能依靠卡片目录和馆员的记忆。",
    "进入新世纪以后，扫描仪的分辨率不断提高，价格逐年下降，许多省级图书馆开始成批扫描"
    "地方志和家谱。到2015年，全国已有超过三万种家谱完成了影像化。",
    "然而影像并不等于文本。一位研究者要在数百卷族谱中找到某个祖先的名字，仍然需要逐页翻阅。"
    "光学字符识别技术正是为了解决这一问题而引入的。",
    "识别的难点首先在于版式。报纸通常分为四到六栏，栏间距很窄，标题横跨数栏；教科书"
    "常有双栏排版、页眉页脚和插图说明；古籍则多为竖排，自右向左阅读，还夹有双行小注。",
    "其次是字形。族谱中常见异体字和生僻字，同一个姓氏在不同支派的谱牒中可能有三四种写法。"
    "校对人员需要对照原图逐行核实，并保留每一次修改的记录。",
    "第三是规模。一个中等规模的地方文献中心每年要处理十万页以上的扫描件，任何需要人工"
    "逐页干预的流程都难以为继，因此排队、重试和进度显示都必不可少。",
    "张氏宗亲会于1998年重修族谱，共分十二卷，收录清河、江夏、太原三支世系，"
    "历时四年完成。新谱采用横排简体，附有人名索引和迁徙地图。",
    "在校对平台上，每一行文字都与原图中的位置相对应。校对员点击一行，图像便自动放大到"
    "该行所在区域，修改后按回车保存，系统记录修改人、时间和原文。",
    "检索功能必须支持简体与繁体的互相查找，例如输入张氏也能找到張氏，输入陈也能找到陳，"
    "并且对一两个字的短查询给出准确而迅速的结果。",
    "本期专题介绍三个地区的数字化经验：浙江的地方志全文库、福建的侨批档案，以及广东的"
    "族谱联合目录。三地都把开放数据接口作为建设的重点。",
]

ZH_CLASSIC = [
    "天地玄黃宇宙洪荒日月盈昃辰宿列張寒來暑往秋收冬藏閏餘成歲律呂調陽雲騰致雨露結為霜"
    "金生麗水玉出崑岡劍號巨闕珠稱夜光果珍李柰菜重芥薑海鹹河淡鱗潛羽翔龍師火帝鳥官人皇",
    "始制文字乃服衣裳推位讓國有虞陶唐弔民伐罪周發殷湯坐朝問道垂拱平章愛育黎首臣伏戎羌"
    "遐邇一體率賓歸王鳴鳳在竹白駒食場化被草木賴及萬方蓋此身髮四大五常恭惟鞠養豈敢毀傷",
    "人之初性本善性相近習相遠苟不教性乃遷教之道貴以專昔孟母擇鄰處子不學斷機杼"
    "竇燕山有義方教五子名俱揚養不教父之過教不嚴師之惰子不學非所宜幼不學老何為",
    "道可道非常道名可名非常名無名天地之始有名萬物之母故常無欲以觀其妙常有欲以觀其徼"
    "此兩者同出而異名同謂之玄玄之又玄眾妙之門",
    "始祖德明公字光遠宋紹興間自清河遷居於此配李氏生子二長文達次文通文達公字仲賢性孝友"
    "好讀書配王氏生子三長宗禮次宗義三宗信文通公字叔明居東村以耕讀傳家",
    "宗禮公字守約明洪武初以薦授縣學訓導在任九年士林稱之配陳氏繼配黃氏生子四"
    "長世昌次世榮三世華四世英世昌公字永隆遷居江夏子孫繁衍為江夏房之祖",
]

ZH_NOTES = ["事見郡志孝友傳", "墓在城南祖塋", "一作光源", "舊譜失載今補", "配氏無考"]

EN = [
    "The Trustees have the honour to present their report for the year ending the "
    "thirty-first of December. The year has been one of steady growth in every department "
    "of the library, and the number of volumes upon the shelves now stands at forty-two "
    "thousand, of which some three thousand were added by purchase.",
    "The circulation of books for home use reached one hundred and six thousand, an "
    "increase of nine per cent over the year preceding. The reading room was open on every "
    "day of the year except Christmas Day, and the attendance of readers averaged two "
    "hundred and thirty a day.",
    "Scanning a bound volume is only the first step. Each page image must be catalogued, "
    "recognised, checked against the original by a trained reader, and finally published "
    "in formats that other libraries can load into their own systems without loss.",
    "Newspapers present the hardest layouts. Four to six narrow columns run down the page, "
    "separated by gutters no wider than a letter; headlines cross two or three of them; "
    "photographs with captions interrupt the text, and advertisements fill the corners.",
    "The committee recommends that the collection of local histories be completed before "
    "the end of the coming year, and that a second reading room be opened in the east wing "
    "for students of genealogy, who now form the largest single group of visitors.",
    "Correctors work line by line beside the page image. A correction is saved at once, its "
    "author and time are recorded, and the original reading of the machine is never lost, "
    "so that any change can be reviewed or undone by a senior member of staff.",
    "The Board acknowledges with gratitude the gift of the Morrison collection of maps and "
    "charts, numbering some four hundred sheets, many of them of great rarity, together with "
    "a sum of money for their proper housing and repair.",
    "During the winter months a series of public lectures was given in the hall, on subjects "
    "ranging from the history of printing to the care of old bindings, and these were so "
    "well attended that the series will be repeated next season.",
]

EN_HEADLINES = [
    "Library Opens New Reading Room",
    "Council Approves Funds for Archive",
    "Rare Maps Donated to City Collection",
    "Students Flock to Genealogy Lectures",
]
ZH_HEADLINES = [
    "古籍数字化进入快车道",
    "族谱修缮工作全面启动",
    "地方志全文库正式上线",
    "侨批档案入选名录",
]
