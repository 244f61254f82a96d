"""The words of the demo posts, kept apart from the loader in ``blog/demo_content.py``.

Each post: slug, title, pair (slug), days since publication, intro, tags and a
body as raw StreamField data built with the small helpers below. In every pair
the first member is the junior colleague who brings the tools and the second
the senior colleague who brings the business.
"""

# An image block names a demo image by key; the loader swaps in the image's id.
CASH_POSITION_CHART = "cash-position-chart"


def _paragraph(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def _heading(text: str, level: str = "h2") -> dict:
    return {"type": "heading", "value": {"text": text, "level": level}}


def _quote(quote: str, attribution: str) -> dict:
    return {"type": "quote", "value": {"quote": quote, "attribution": attribution}}


def _code(language: str, code: str) -> dict:
    return {"type": "code", "value": {"language": language, "code": code}}


def _image(key: str, alt_text: str, caption: str = "") -> dict:
    return {"type": "image", "value": {"image": key, "alt_text": alt_text, "caption": caption}}


def _takeaway(summary: str, first: str, second: str) -> dict:
    return {
        "type": "takeaway",
        "value": {
            "summary": summary,
            "first_member_perspective": first,
            "second_member_perspective": second,
        },
    }


POSTS = [
    # --- Amira (tools) & Ben (lending) -------------------------------------
    {
        "slug": "why-our-credit-memos-moved-to-the-wiki",
        "title": "Why our credit memos moved to the wiki",
        "pair": "amira-and-ben",
        "days_ago": 2,
        "intro": "Ben's team wrote the same explanations in email every week. "
        "We moved them to a wiki page per product, and learned why some of them must stay private.",
        "tags": ["Wikis", "Lending", "Knowledge sharing"],
        "body": [
            _paragraph(
                "<p>Every Monday Ben answered the same three questions "
                "from new analysts: what counts as recurring income, when to ask for a guarantor, "
                "and how to read a bank statement for gambling transactions. Amira suggested "
                "writing each answer once, on a wiki page, and linking to it.</p>"
            ),
            _heading("What went on the wiki"),
            _paragraph(
                "<p>We started with the questions, not the structure. "
                "Each page has a <b>question</b> as its title, a short answer, and a worked example "
                "with the numbers changed. Tags let analysts find pages by product and by risk.</p>"
            ),
            _quote("I used to think writing it down was slower than saying it. It's slower once.", "Ben"),
            _heading("What stayed out"),
            _paragraph(
                "<p>Ben explained why customer names and the credit "
                "committee's reasoning on individual cases can never sit on a company-wide page. "
                "We used page privacy for the committee notes and kept the wiki for the "
                "<i>how</i>, never the <i>who</i>.</p>"
            ),
            _takeaway(
                "Write the answer once, where people search; keep decisions about "
                "real customers where only the committee can see them.",
                "The hard part was not the tool, it was knowing "
                "which knowledge is safe to share. Ben knew that instantly.",
                "Tags did more than folders ever did: analysts find pages I forgot I wrote.",
            ),
        ],
    },
    {
        "slug": "should-the-lending-faq-be-a-chat-bot",
        "title": "Should the lending FAQ be a chat bot?",
        "pair": "amira-and-ben",
        "days_ago": 16,
        "intro": "Once the wiki worked, the next idea was obvious: let a bot answer the questions. "
        "Ben found the three answers a bot must never give, and we changed the plan.",
        "tags": ["Chat bots", "Lending", "Wikis"],
        "body": [
            _paragraph(
                "<p>The wiki pages were getting hundreds of visits a week, so Amira built a "
                "prototype in the team chat: ask a question, get the closest wiki page back. "
                "It worked in the demo. Then Ben asked it whether a particular customer would "
                "qualify for a loan.</p>"
            ),
            _heading("Questions that are not really questions"),
            _paragraph(
                "<p>Ben sorted a month of questions from the analysts' channel into three piles: "
                "<b>how do I</b> (safe for a bot), <b>does this case</b> (a decision a person "
                "signs) and <b>can we promise</b> (something only the business can commit to). "
                "Only the first pile went to the bot.</p>"
            ),
            _quote(
                "A bot that says \u201cprobably yes\u201d to a customer has just made an offer "
                "on behalf of the bank.",
                "Ben",
            ),
            _paragraph(
                "<p>The bot now answers with a link to the wiki page and the name of the page's "
                "owner, never with a sentence of its own. For anything about a named customer it "
                "replies that a credit analyst will pick it up, and posts the question to the "
                "analysts' queue.</p>"
            ),
            _takeaway(
                "Let a bot point to written knowledge; keep judgements and promises with people "
                "who are accountable for them.",
                "I would have measured the bot by how many questions it answered. Ben measured "
                "it by the questions it refused, and he was right.",
                "I expected to say no to the bot. Instead I learned that the wiki we wrote is "
                "what makes a safe bot possible.",
            ),
        ],
    },
    {
        "slug": "the-second-meeting-is-where-the-loan-is-decided",
        "title": "The second meeting is where the loan is decided",
        "pair": "amira-and-ben",
        "days_ago": 34,
        "intro": "Amira sat in on Ben's client meetings for a month. She learned how a negotiation "
        "really moves; he learned to keep the notes where the whole team can build on them.",
        "tags": ["Lending", "Negotiation", "Facilitation"],
        "body": [
            _paragraph(
                "<p>Amira assumed the first meeting with a business client was where the deal was "
                "made. Ben's view, after twenty years: the first meeting is for listening, and the "
                "loan is decided at the second, when you come back having understood the business "
                "better than the client expected.</p>"
            ),
            _heading("What Ben does between the meetings"),
            _paragraph(
                "<ul><li>Writes down the client's own words for what worries them.</li>"
                "<li>Checks every number they gave against the accounts, quietly.</li>"
                "<li>Prepares two structures, so the client chooses rather than accepts.</li></ul>"
            ),
            _quote(
                "Never negotiate on the rate first. Negotiate on what they are afraid of; the rate follows.",
                "Ben",
            ),
            _heading("What changed in the notes"),
            _paragraph(
                "<p>Ben's notes used to live in a paper notebook. Amira set up a shared meeting "
                "page per client, with a fixed template: <i>worries</i>, <i>numbers to check</i>, "
                "<i>options</i>, <i>next step</i>. When Ben is on holiday, a colleague can now "
                "pick up the second meeting without starting again.</p>"
            ),
            _takeaway(
                "Listen first and come back prepared; and write the preparation down where a "
                "colleague can continue it.",
                "Negotiation is mostly preparation nobody sees. I now prepare for my own project "
                "meetings the same way.",
                "A shared template costs me five minutes a meeting and saved a deal when I was off sick.",
            ),
        ],
    },
    {
        "slug": "ten-tags-not-a-hundred-folders",
        "title": "Ten tags, not a hundred folders",
        "pair": "amira-and-ben",
        "days_ago": 61,
        "intro": "Our first wiki had a folder for everything and nobody found anything. "
        "We threw the folders away and agreed on ten tags in one afternoon.",
        "tags": ["Wikis", "Knowledge sharing", "Data literacy"],
        "body": [
            _paragraph(
                "<p>The lending team's shared drive had 140 folders, some of them nested seven "
                "deep. Ben knew where everything was; nobody else did. Amira's suggestion was to "
                "stop arguing about where a document <i>lives</i> and agree instead on what it is "
                "<i>about</i>.</p>"
            ),
            _heading("How we chose the tags"),
            _paragraph(
                "<p>We printed the titles of the 50 most opened documents and sorted them on a "
                "table. The piles that kept appearing became tags. Anything with fewer than three "
                "documents did not earn one.</p>"
            ),
            _code(
                "yaml",
                "# The whole vocabulary, reviewed every quarter\n"
                "products: [mortgages, business loans, overdrafts]\n"
                "stages: [application, underwriting, monitoring, recovery]\n"
                "kinds: [how-to, policy, template]\n",
            ),
            _quote("Ten tags everybody uses beat a hundred that only their author understands.", "Amira"),
            _takeaway(
                "A small, shared vocabulary is what makes a wiki searchable; the tool matters less.",
                "I learned that the business already had a vocabulary: products and stages. "
                "I only had to write it down.",
                "I stopped being the team's search engine. People find things without asking me.",
            ),
        ],
    },
    # --- Chloé (data) & David (risk) ---------------------------------------
    {
        "slug": "a-dashboard-is-a-question-you-keep-asking",
        "title": "A dashboard is a question you keep asking",
        "pair": "chloe-and-david",
        "days_ago": 5,
        "intro": "Chloé built a dashboard of the risk pack in a week. David explained which "
        "charts would get the bank fined if they were wrong, and we rebuilt it around those.",
        "tags": ["Dashboards", "Risk", "Data literacy"],
        "body": [
            _paragraph(
                "<p>The first version had forty charts. David asked "
                "which of them a regulator would ask about. The answer was six.</p>"
            ),
            _heading("Six charts, each with its query"),
            _code(
                "sql",
                "SELECT segment,\n"
                "       SUM(exposure) AS exposure,\n"
                "       SUM(exposure) FILTER (WHERE days_past_due > 90) "
                "AS non_performing\nFROM loans\nGROUP BY segment\nORDER BY exposure DESC;",
            ),
            _paragraph(
                "<p>We kept the query next to the chart, so anyone can check how a number was made.</p>"
            ),
            _quote(
                "If you cannot say who answers for a number, it does not belong on the front page.", "David"
            ),
            _takeaway(
                "Start from the questions someone is accountable for, then chart those.",
                "I learned what \u201cmaterial\u201d means to an auditor.",
                "I learned that a dashboard can show its working.",
            ),
        ],
    },
    {
        "slug": "risk-appetite-in-plain-words",
        "title": "Risk appetite, in plain words",
        "pair": "chloe-and-david",
        "days_ago": 33,
        "intro": "The board's risk appetite statement is twelve pages long. David explained it to "
        "Chloé in twenty minutes; together we turned it into one page the whole team can read.",
        "tags": ["Risk", "Data literacy", "Knowledge sharing"],
        "body": [
            _paragraph(
                "<p>Chloé had built charts against the risk appetite limits for weeks without "
                "knowing where the limits came from. David's explanation started with a question: "
                "<i>how much could we lose in a bad year and still be the bank we want to be?</i> "
                "Every limit is an answer to that question for one kind of risk.</p>"
            ),
            _heading("Three words that carry the meaning"),
            _paragraph(
                "<ul><li><b>Appetite</b>: the risk we are happy to take to earn a return.</li>"
                "<li><b>Tolerance</b>: where we start to worry and must explain ourselves.</li>"
                "<li><b>Capacity</b>: the most we could survive. We never plan to go near it.</li></ul>"
            ),
            _quote(
                "A limit is not a target. Being close to it is news, even when it is not a breach.", "David"
            ),
            _heading("Our one-page version"),
            _paragraph(
                "<p>We wrote one sentence per limit, in the words a branch manager would use, and "
                "linked each sentence to the live chart that tracks it. The twelve pages are still "
                "the reference; the one page is what people actually read.</p>"
            ),
            _takeaway(
                "Every number in a risk report answers a question someone asked on purpose; "
                "write the question next to the number.",
                "Knowing why a limit exists changed how I design the chart: I now show the "
                "distance to tolerance, not just the value.",
                "Explaining it simply showed me two limits nobody could justify any more. "
                "We are reviewing them.",
            ),
        ],
    },
    {
        "slug": "why-the-auditor-asks-for-the-spreadsheet",
        "title": "Why the auditor asks for the spreadsheet, not the chart",
        "pair": "chloe-and-david",
        "days_ago": 72,
        "intro": "Chloé thought the auditors would love the new charts. They asked for the "
        "spreadsheet behind them, and David explained why that is a compliment.",
        "tags": ["Spreadsheets", "Risk", "Dashboards"],
        "body": [
            _paragraph(
                "<p>Our first audit with the new reporting went differently than Chloé expected. "
                "The auditors spent five minutes on the charts and two days in the workbook that "
                "fed them. David has sat through fifteen audits: a chart is a claim, the "
                "spreadsheet is the evidence.</p>"
            ),
            _heading("What an auditable workbook looks like"),
            _paragraph(
                "<p>One sheet for raw extracts, untouched. One sheet per calculation, with every "
                "formula visible and no hard-coded numbers. One sheet of checks that must all "
                "say TRUE before anything is published.</p>"
            ),
            _code(
                "text",
                '=IF(ABS(SUM(Extract!D:D) - Ledger!B4) < 0.01, TRUE, "Extract does not match ledger")',
            ),
            _quote(
                "Auditors do not distrust you. They distrust anything they cannot redo themselves.", "David"
            ),
            _takeaway(
                "Build reports so that someone else can reproduce every number without asking you.",
                "I now add a checks sheet to every workbook, even the ones nobody audits.",
                "Chloé showed me how to make the checks run automatically each morning, so we "
                "find our mistakes before the auditors do.",
            ),
        ],
    },
    # --- Elena (remote facilitation) & Farid (branch operations) -----------
    {
        "slug": "what-we-would-tell-the-next-pair",
        "title": "What we would tell the next pair",
        "pair": "elena-and-farid",
        "days_ago": 110,
        "intro": "Our six months of pairing are over. Here is what worked, what did not, and "
        "what we would do from the first week if we started again.",
        "tags": ["Facilitation", "Knowledge sharing", "Remote work", "Customer complaints"],
        "body": [
            _paragraph(
                "<p>We met every Thursday for half an hour, alternating who chose the topic. "
                "Elena brought video calls, shared whiteboards and ways to run a meeting that "
                "include people who are not in the room. Farid brought fifteen years of branch "
                "life and an instinct for what a customer means when they say something is "
                "\u201cfine\u201d.</p>"
            ),
            _heading("What worked"),
            _paragraph(
                "<ul><li>Learning on real work: every session started from something that had "
                "happened that week.</li><li>Writing a post after each topic. It forced us to "
                "agree on what we had actually learned.</li><li>Swapping roles: Farid ran a remote "
                "huddle, Elena spent a day on the branch floor.</li></ul>"
            ),
            _heading("What we would change"),
            _paragraph(
                "<p>We spent the first month on tools before Farid had a problem they could solve. "
                "Start from the senior colleague's problem, and bring a tool only when it is the "
                "answer to something.</p>"
            ),
            _quote("The day on the floor taught me more than a year of complaint reports.", "Elena"),
            _takeaway(
                "Mutual mentoring works when both people teach from real work, and write it down "
                "while it is fresh.",
                "Farid taught me to listen to the second sentence of a complaint; the first one "
                "is usually politeness.",
                "Elena taught me that a good meeting is designed, not just called. My huddles "
                "are shorter and everyone speaks.",
            ),
        ],
    },
    {
        "slug": "what-customers-say-before-they-complain",
        "title": "What customers say before they complain",
        "pair": "elena-and-farid",
        "days_ago": 150,
        "intro": "Formal complaints arrive weeks after the problem. Farid knew the earlier signs "
        "by ear; Elena found them in the contact notes the branches already write.",
        "tags": ["Customer complaints", "Data literacy", "Facilitation"],
        "body": [
            _paragraph(
                "<p>Farid's rule of thumb: when three customers in a week mention the same thing "
                "\u201cby the way\u201d at the counter, head office will see formal complaints about "
                "it within a month. He had never been able to prove it.</p>"
            ),
            _heading("Listening to the notes"),
            _paragraph(
                "<p>Every branch conversation already ends with a short note in the contact system. "
                "Elena exported three months of them and we counted the phrases Farid listens for.</p>"
            ),
            _code(
                "sql",
                "SELECT branch, week, COUNT(*) AS early_signs\n"
                "FROM contact_notes\n"
                "WHERE note ILIKE '%by the way%'\n"
                "   OR note ILIKE '%not the first time%'\n"
                "   OR note ILIKE '%my neighbour%'\n"
                "GROUP BY branch, week\n"
                "HAVING COUNT(*) >= 3;",
            ),
            _paragraph(
                "<p>Of the eleven weeks the query flagged, nine were followed by a rise in formal "
                "complaints. Not proof, but enough to bring it to the weekly huddle.</p>"
            ),
            _quote(
                "Customers rarely complain about the first problem. They complain about the second.", "Farid"
            ),
            _takeaway(
                "The earliest warning of a complaint is in what front-line staff already write down; "
                "read it before the complaint arrives.",
                "The data was there all along. What I lacked was Farid's ear for which phrases matter.",
                "I can now show head office what I have been telling them for years, with numbers.",
            ),
        ],
    },
    {
        "slug": "huddles-with-half-the-team-on-a-screen",
        "title": "Huddles with half the team on a screen",
        "pair": "elena-and-farid",
        "days_ago": 185,
        "intro": "Farid's morning huddle worked for the people standing at the counter and left "
        "everyone on the call listening to a room. We redesigned it together.",
        "tags": ["Remote work", "Facilitation"],
        "body": [
            _paragraph(
                "<p>Since the back office started working from home two days a week, Farid's "
                "ten-minute huddle had two audiences: the branch staff around him, and a laptop "
                "on a chair. The people on the laptop stopped speaking after the second week.</p>"
            ),
            _heading("Remote first, even in the room"),
            _paragraph(
                "<p>Elena's rule: if one person is remote, everyone behaves as if they were. "
                "Each person joins the call from their own screen, the agenda sits on a shared "
                "whiteboard, and people speak in a fixed round, remote colleagues first.</p>"
            ),
            _heading("Three questions, always the same", "h3"),
            _paragraph(
                "<ol><li>What happened yesterday that the others should know?</li>"
                "<li>What is coming today that needs a hand?</li>"
                "<li>Which customer story should head office hear?</li></ol>"
            ),
            _quote("The quietest person on the call had the best answer to question three.", "Farid"),
            _takeaway(
                "A hybrid meeting is fair only when the room gives up its advantage.",
                "Facilitation techniques only work once you know what the meeting is for; "
                "Farid's three questions were the real design.",
                "I used to think remote staff were less engaged. They were just less invited.",
            ),
        ],
    },
    # --- Grace (automation) & Hiro (treasury) ------------------------------
    {
        "slug": "what-a-treasurer-means-by-liquidity",
        "title": "What a treasurer means by \u201cliquidity\u201d",
        "pair": "grace-and-hiro",
        "days_ago": 8,
        "intro": "Grace thought liquidity meant how much cash we have. Hiro explained that it is "
        "about when, and the morning report changed shape overnight.",
        "tags": ["Treasury", "Risk", "Data literacy"],
        "body": [
            _paragraph(
                "<p>Grace's first automated report answered the question \u201chow much cash do we "
                "hold?\u201d Hiro read it and asked a different one: \u201chow much can we pay, "
                "today, tomorrow and next week, if nobody pays us?\u201d</p>"
            ),
            _heading("Cash is a timeline, not a number"),
            _paragraph(
                "<p>A balance that is locked in a deposit until Friday does not pay Thursday's "
                "salaries. Hiro's ladder sorts every balance and every known payment by the day "
                "it becomes available or falls due, and looks for the first day the running total "
                "goes negative.</p>"
            ),
            _code(
                "python",
                "running = 0\n"
                "for day, inflow, outflow in ladder:\n"
                "    running += inflow - outflow\n"
                "    if running < buffer:\n"
                '        alert(f"Short on {day}: {running:,.0f}")\n'
                "        break\n",
            ),
            _quote(
                "Banks fail from a lack of cash on a Tuesday, not from a lack of profit over a year.", "Hiro"
            ),
            _takeaway(
                "Liquidity is about when money is available, so report it as a timeline.",
                "I rebuilt the report as a ladder in a day; understanding why took the whole week.",
                "Seeing the ladder every morning, drawn the same way, I spot a gap days earlier "
                "than I did from the balances.",
            ),
        ],
    },
    {
        "slug": "a-chat-bot-that-knows-when-to-stay-quiet",
        "title": "A chat bot that knows when to stay quiet",
        "pair": "grace-and-hiro",
        "days_ago": 20,
        "intro": "Grace's treasury bot posted every payment to the team channel. Hiro muted it "
        "after a day; together we taught it which messages deserve a human's attention.",
        "tags": ["Chat bots", "Automation", "Treasury"],
        "body": [
            _paragraph(
                "<p>The first version of the bot was proud of itself: two hundred messages a day, "
                "one for every incoming and outgoing payment above a threshold. By lunchtime the "
                "treasury team had muted the channel, which meant they also missed the one "
                "message that mattered.</p>"
            ),
            _heading("Only what needs a decision"),
            _paragraph(
                "<p>Hiro listed the situations where he would want to be interrupted: a payment "
                "from a counterparty that is late against its usual pattern, a balance below the "
                "buffer, and anything in a currency we do not normally hold. Everything else goes "
                "into a digest at 4 pm.</p>"
            ),
            _code(
                "python",
                "def needs_a_person(payment, usual):\n"
                "    late = payment.expected_on < today() and not payment.received\n"
                "    unusual = payment.currency not in HELD_CURRENCIES\n"
                "    return late or unusual or balance_after(payment) < BUFFER\n",
            ),
            _quote(
                "A good junior dealer tells me three things a day. The bot should aim for the same.", "Hiro"
            ),
            _takeaway(
                "An alert is only useful if people still read it next month: send fewer, and make "
                "each one actionable.",
                "I measured the bot by what it could report. Hiro measured it by what he could ignore.",
                "I learned that the bot can check patterns I only feel. It flagged a late payer "
                "before I noticed.",
            ),
        ],
    },
    {
        "slug": "automating-the-morning-cash-position",
        "title": "Automating the morning cash position",
        "pair": "grace-and-hiro",
        "days_ago": 40,
        "intro": "Every morning Hiro's team spent ninety minutes copying bank balances into a "
        "spreadsheet. Grace automated the copying; Hiro taught her what the numbers are for.",
        "tags": ["Automation", "Treasury", "Spreadsheets"],
        "body": [
            _paragraph(
                "<p>At 8:00 each day, two analysts logged into five banking portals, downloaded "
                "statements and pasted balances into a workbook that Hiro reviews at 9:30. Nobody "
                "had time to look at the numbers before the meeting, because producing them took "
                "the whole time.</p>"
            ),
            _heading("What we automated"),
            _paragraph(
                "<p>The banks already send statement files overnight. Grace wrote a short script "
                "that reads them and fills the same workbook, so nothing changed for the people "
                "who read it.</p>"
            ),
            _code(
                "python",
                "balances = {}\n"
                "for statement in overnight_statements():\n"
                "    balances[statement.account] = statement.closing_balance\n"
                'write_sheet("Cash position", balances)\n',
            ),
            _image(
                CASH_POSITION_CHART,
                "Bar chart of the morning cash position: five banks, with Bank A holding the "
                "largest balance and Bank E the smallest.",
                "The morning cash position, drawn by the script at 8:05.",
            ),
            _heading("What we deliberately did not automate"),
            _paragraph(
                "<p>Hiro insisted that moving money stays a human decision. The script prepares "
                "the picture; the treasurer decides what to do with it.</p>"
            ),
            _takeaway(
                "Automate the gathering, keep the judgement human, and change nothing for the "
                "readers on day one.",
                "Hiro taught me to ask what a report is for before I make it faster.",
                "We now spend the ninety minutes discussing the numbers instead of typing them.",
            ),
        ],
    },
]
