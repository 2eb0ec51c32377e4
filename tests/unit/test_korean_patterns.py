"""desk.core.korean's patterns are compiled when first used, and match as re's would."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from desk.core.korean import LazyPattern


def test_a_lazy_pattern_compiles_on_first_use():
    pattern = LazyPattern(r"[\uac00-\ud7a3]+")
    assert set(vars(pattern)) == {"_source"}  # nothing compiled by making it
    assert pattern.findall("USB포트 연결") == ["포트", "연결"]
    assert "findall" in vars(pattern)  # found directly from now on
    assert pattern.sub("_", "a가b") == "a_b"


@given(st.text(alphabet=st.sampled_from("a 가힣ㅎㅏ\u1100\u11a8é"), max_size=20))
def test_it_answers_as_the_compiled_pattern_does(text):
    source = r"[\u1100-\u11ff\u3131-\u318e]+"
    lazy, compiled = LazyPattern(source), re.compile(source)
    assert lazy.findall(text) == compiled.findall(text)
    assert lazy.sub("", text) == compiled.sub("", text)
    assert lazy.split(text, maxsplit=1) == compiled.split(text, maxsplit=1)
