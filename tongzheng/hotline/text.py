"""Chinese text for the hotline: jieba tokens kept beside the text (ARCHITECTURE.md).

``Ticket.search_tokens`` holds the tokens of title, content and address separated by
spaces; full-text search (SQLite FTS5 / PostgreSQL tsvector), the dispatch classifier,
duplicate detection and the hot-topic view all read tokens, never the raw text.
"""

import re
from pathlib import Path

import jieba

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise
# Words of citizens' requests that jieba's general dictionary cuts wrongly (路灯不亮 became
# 路 / 灯不亮, so a search for 路灯 missed it). Changing it changes the tokens of new
# tickets only: re-tokenise stored tickets after an edit.
jieba.load_userdict(str(Path(__file__).with_name("userdict.txt")))

# Tokens that carry no meaning for search or classification: punctuation, single
# function characters and the ubiquitous words of every complaint.
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "我",
        "我们",
        "你",
        "你们",
        "他",
        "她",
        "它",
        "和",
        "与",
        "及",
        "或",
        "也",
        "都",
        "就",
        "还",
        "又",
        "有",
        "没有",
        "不",
        "很",
        "请",
        "希望",
        "要求",
        "反映",
        "问题",
        "情况",
        "相关",
        "部门",
        "这个",
        "那个",
        "一个",
        "什么",
        "怎么",
        "为什么",
        "已经",
        "能否",
        "是否",
        "可以",
        "进行",
        "一下",
        "谢谢",
        "您好",
        "你好",
    ]
)


def tokens(text: str) -> list[str]:
    """The meaningful jieba tokens of ``text`` in order (search-engine mode, lower-cased)."""
    result = []
    for token in jieba.cut_for_search(text or ""):
        token = token.strip().lower()
        if token and _WORD.search(token) and token not in STOP_WORDS:
            result.append(token)
    return result


def token_string(*texts: str) -> str:
    """The tokens of several texts as one space-separated string (``Ticket.search_tokens``)."""
    return " ".join(token for text in texts for token in tokens(text))
