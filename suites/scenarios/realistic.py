"""Realistic inputs: names and instructions as users write them, generated.

Real file names and instructions are long (hundreds of characters), mix scripts, carry emoji
(with joiners, skin tones, flags), right-to-left text and accents that macOS stores decomposed
(NFD) and most editors composed (NFC). The texts below are built from words of many scripts,
then put in NFC or NFD as a whole; `strategies.py` keeps its short random names. Pairs are
compared without their order, which the documentation leaves open.
"""

from __future__ import annotations

import json
import unicodedata

from hypothesis import strategies as st

WORDS = (
    "café",
    "crème brûlée",
    "naïve façade",
    "Ångström",
    "São Paulo",
    "Žluťoučký kůň",
    "Łódź",
    "İstanbul",
    "Ελληνικά",
    "Кириллица",
    "Україна",
    "שלום עולם",
    "صورة التدريب",
    "فارسی",
    "प्रशिक्षण चित्र",
    "বাংলা",
    "தமிழ்",
    "ภาษาไทย",
    "ქართული",
    "Հայերեն",
    "トレーニング画像",
    "训练图片",
    "한국어 사진",
    "ⵜⴰⵎⴰⵣⵉⵖⵜ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "🖼️",
    "👩\u200d💻",
    "👍🏽",
    "🇫🇷",
    "🏳️\u200d🌈",
    "n\u0303",
    "e\u0301\u0301",
    "IMG_2024-07-14",
    "before",
    "after",
)
SEPARATORS = (" ", "-", "_", " — ", ", ", ".")
EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".JPG")
FORMS = ("NFC", "NFD")


def _text(words: list[str], separators: list[str], form: str) -> str:
    parts = [words[0]]
    for word, separator in zip(words[1:], separators, strict=False):
        parts += [separator, word]
    return unicodedata.normalize(form, "".join(parts))


def prose(min_words: int = 1, max_words: int = 80) -> st.SearchStrategy[str]:
    """Text of many scripts in NFC or NFD, up to hundreds of characters, no blank at its ends."""
    return st.builds(
        _text,
        st.lists(st.sampled_from(WORDS), min_size=min_words, max_size=max_words),
        st.lists(st.sampled_from(SEPARATORS), min_size=max_words, max_size=max_words),
        st.sampled_from(FORMS),
    ).map(str.strip)


def file_names(min_words: int = 1, max_words: int = 80) -> st.SearchStrategy[str]:
    """File names as users have them: prose and an extension."""
    return st.builds(str.__add__, prose(min_words, max_words), st.sampled_from(EXTENSIONS))


def long_name(length: int, form: str = "NFD") -> str:
    """A fixed name of at least `length` characters in `form`, for the explicit examples."""
    text = ""
    index = 0
    while len(text) < length:
        text += WORDS[index % len(WORDS)] + SEPARATORS[index % len(SEPARATORS)]
        index += 1
    return unicodedata.normalize(form, text.strip() + ".jpg")


def unordered(pairs: object) -> object:
    """Pairs in a canonical order: their order is not documented (PAIRS-010 is a SHOULD)."""
    if not isinstance(pairs, list):
        return pairs
    return sorted(pairs, key=lambda pair: json.dumps(pair, sort_keys=True, default=str))
