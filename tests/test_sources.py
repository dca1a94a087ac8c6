"""Loading articles: decoding, titles, boilerplate spans, and bad input that must not cost the good files."""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
from pathlib import Path

import pytest

from briefing.models import Source, SourceRecord, Span
from briefing.sources import decode, find_boilerplate, load_sources, source_from_bytes, source_from_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_NAMES = [
    "000_07824456253107d3.txt",
    "001_d44de0f6189a92f5.txt",
    "002_086a85729c64052e.txt",
    "003_3911f8b014cdd88f.txt",
    "004_5bf7cc0548cda972.txt",
]


@pytest.fixture(scope="module")
def seeds() -> dict[str, Source]:
    loaded = load_sources([SEEDS])
    assert loaded.skipped == []
    return {Path(s.path).name: s for s in loaded.sources}


def occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    found, pos = [], text.find(phrase)
    while pos != -1:
        found.append((pos, pos + len(phrase)))
        pos = text.find(phrase, pos + 1)
    return found


def inside_a_span(spans: list[Span], start: int, end: int) -> bool:
    return any(s.start <= start and end <= s.end for s in spans)


def touches_a_span(spans: list[Span], start: int, end: int) -> bool:
    return any(start < s.end and s.start < end for s in spans)


# --------------------------------------------------------------------------- the seeds


def test_loading_the_seeds_folder_gives_five_sources_sorted_by_path(seeds):
    loaded = load_sources([SEEDS])
    paths = [s.path for s in loaded.sources]
    assert [Path(p).name for p in paths] == SEED_NAMES
    assert paths == sorted(paths)
    assert all(Path(p).parent == SEEDS for p in paths)


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_text_is_the_file_decoded_as_utf8_and_sha256_is_of_the_raw_bytes(seeds, name):
    raw = (SEEDS / name).read_bytes()
    source = seeds[name]
    assert source.text == raw.decode("utf-8")
    assert source.encoding == "utf-8"
    assert source.sha256 == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("000_07824456253107d3.txt", "Russia boosting military support ‘to stop fall of Assad’"),
        ("001_d44de0f6189a92f5.txt", None),
        ("002_086a85729c64052e.txt", None),
        ("003_3911f8b014cdd88f.txt", "Russian troops ‘already on ground in Syria’"),
        (
            "004_5bf7cc0548cda972.txt",
            "Russia calls for anti-Isis coalition ahead of UN assembly - as long as President Assad can stay",
        ),
    ],
)
def test_seed_title_is_the_headline_line_or_none_when_the_first_line_is_a_sentence(seeds, name, title):
    assert seeds[name].title == title


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("003_3911f8b014cdd88f.txt", "Sign up to our World Explained newsletter"),
        ("002_086a85729c64052e.txt", "No comments:"),
        ("002_086a85729c64052e.txt", "Post a Comment"),
        ("002_086a85729c64052e.txt", "Note: Only a member of this blog may post a comment."),
        ("004_5bf7cc0548cda972.txt", "Join our commenting forum"),
        ("004_5bf7cc0548cda972.txt", "Please refresh the page"),
        ("004_5bf7cc0548cda972.txt", "(Ramil Sitdikov/Host Photo Agency/Ria Novosti via Getty Images)"),
        ("004_5bf7cc0548cda972.txt", "Thank you for registering"),
    ],
)
def test_seed_web_boilerplate_lies_inside_a_boilerplate_span(seeds, name, phrase):
    source = seeds[name]
    found = occurrences(source.text, phrase)
    assert found, f"{phrase!r} is not in {name}"
    for start, end in found:
        assert inside_a_span(source.boilerplate, start, end), f"{phrase!r} at {start} is not marked"


def test_both_copies_of_the_repeated_picture_ap_caption_are_boilerplate(seeds):
    source = seeds["003_3911f8b014cdd88f.txt"]
    caption = "Sergey Lavrov said Russia was sending weapons to Syria. Picture: AP"
    found = occurrences(source.text, caption)
    assert len(found) == 2
    for start, end in found:
        assert inside_a_span(source.boilerplate, start, end)


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("000_07824456253107d3.txt", "Russia intends to step up its military involvement in Syria"),
        ("000_07824456253107d3.txt", "500 Russian troops have been deployed to a forward operating base"),
        ("001_d44de0f6189a92f5.txt", "In recent weeks Russia has deployed troops, fighter jets and bombers to Syria."),
        ("001_d44de0f6189a92f5.txt", "Talks with Iran"),
        ("002_086a85729c64052e.txt", "The superpower has brought in 28 fighter aircraft"),
        ("002_086a85729c64052e.txt", "The Russian leader will also talk about sanctions"),
        ("003_3911f8b014cdd88f.txt", "Russia maintains a naval base at Tartus"),
        ("003_3911f8b014cdd88f.txt", "He called the move “significant.”"),
        ("003_3911f8b014cdd88f.txt", "Earlier this week, the nearby province of Idlib fell"),
        ("004_5bf7cc0548cda972.txt", "Moscow could join the US-led coalition"),
        ("004_5bf7cc0548cda972.txt", "Russia has recently increasingly deployed more weapons and troops to Syria."),
    ],
)
def test_seed_article_sentences_are_not_boilerplate(seeds, name, sentence):
    source = seeds[name]
    found = occurrences(source.text, sentence)
    assert found, f"{sentence!r} is not in {name}"
    for start, end in found:
        assert not touches_a_span(source.boilerplate, start, end), f"{sentence!r} at {start} is marked"


def test_seed_pull_quote_is_boilerplate_but_the_quote_in_the_story_is_not(seeds):
    source = seeds["002_086a85729c64052e.txt"]
    quote = "There is no other solution to the Syrian crisis than strengthening the effective government structures"
    (first, second) = occurrences(source.text, quote)
    assert source.text[first[0] - 1] == '"'  # inside `He added: "..."`, the article's own sentence
    assert not touches_a_span(source.boilerplate, *first)
    assert inside_a_span(source.boilerplate, *second)


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_boilerplate_spans_are_whole_lines_in_order(seeds, name):
    text = seeds[name].text
    spans = seeds[name].boilerplate
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert s.start == 0 or text[s.start - 1] == "\n"
        assert s.end == len(text) or text[s.end] in "\r\n"


# --------------------------------------------------------------------------- the rules on made-up text


def test_a_pull_quote_repeated_later_is_marked_and_its_first_occurrence_is_not():
    text = (
        "Minister warns of long war\n"
        "\n"
        'The minister said: "The war will not end this year, whatever we do." He left without questions.\n'
        "\n"
        "“The war will not end this year, whatever we do.”\n"
        "\n"
        "Officials in the capital declined to comment on the remarks made on Monday.\n"
        "Officials in the capital declined to comment on the remarks made on Monday.\n"
        "Moscow, Monday\n"
        "Moscow, Monday\n"
        "The talks resume next week.\n"
    )
    lines = text.split("\n")
    starts = [sum(len(x) + 1 for x in lines[:i]) for i in range(len(lines))]

    def line_span(i: int) -> Span:
        return Span(start=starts[i], end=starts[i] + len(lines[i]))

    # line 4 is the pull quote (its words appear inside line 2); line 7 repeats line 6 exactly;
    # "Moscow, Monday" is repeated too but shorter than REPEAT_MIN_CHARS, so it stays.
    assert find_boilerplate(text) == [line_span(4), line_span(7)]


def test_a_line_matching_a_boilerplate_pattern_is_marked_without_its_line_break():
    text = "A real opening sentence of the article.\nSign up for our daily newsletter now\nMore news.\n"
    (span,) = find_boilerplate(text)
    assert text[span.start : span.end] == "Sign up for our daily newsletter now"


def test_a_boilerplate_word_inside_an_article_sentence_is_not_marked():
    text = "Readers left 40 comments on the post.\nShare this article on Facebook\n"
    # a sentence that mentions comments is article text; "share this ..." is a widget line
    spans = find_boilerplate(text)
    assert [text[s.start : s.end] for s in spans] == ["Share this article on Facebook"]


# --------------------------------------------------------------------------- decoding


def test_cp1252_bytes_decode_as_cp1252_with_curly_quotes():
    assert decode(b"Caf\xe9 \x93quoted\x94 \x96 dash") == ("Café “quoted” – dash", "cp1252")


def test_bytes_invalid_in_cp1252_fall_back_to_latin1():
    raw = b"\x81\x8d\x8f\x90\x9d text"
    assert decode(raw) == ("\x81\x8d\x8f\x90\x9d text", "latin-1")


def test_valid_utf8_decodes_as_utf8():
    assert decode("Café “quoted”".encode()) == ("Café “quoted”", "utf-8")


def test_utf8_bom_is_dropped_and_offsets_index_the_decoded_text():
    raw = b"\xef\xbb\xbf" + "Russia’s move. Second sentence.".encode()
    text, enc = decode(raw)
    assert enc == "utf-8-sig"
    assert text == "Russia’s move. Second sentence."
    source = source_from_bytes("bom.txt", raw)
    assert isinstance(source, Source)
    assert source.encoding == "utf-8-sig"
    assert not source.text.startswith("\ufeff")
    assert source.text.index("Russia") == 0
    assert source.sha256 == hashlib.sha256(raw).hexdigest()  # of the raw bytes, BOM included


def test_a_cp1252_file_loads_with_its_encoding_and_the_hash_of_the_raw_bytes(tmp_path):
    raw = b"Caf\xe9 owner says \x93no comment\x94 on the deal.\n"
    (tmp_path / "win.txt").write_bytes(raw)
    (source,) = load_sources([tmp_path]).sources
    assert source.encoding == "cp1252"
    assert source.text == "Café owner says “no comment” on the deal.\n"
    assert source.sha256 == hashlib.sha256(raw).hexdigest()


def test_a_latin1_file_loads_rather_than_failing(tmp_path):
    (tmp_path / "odd.txt").write_bytes(b"\x81\x8d\x8f\x90\x9d text of an article.")
    (source,) = load_sources([tmp_path]).sources
    assert source.encoding == "latin-1"
    assert source.text.endswith("text of an article.")


# --------------------------------------------------------------------------- bad input loses nothing


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    (tmp_path / "good.txt").write_text("Good article. It has sentences.\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("# Notes\n\nA markdown article about Syria.\n", encoding="utf-8")
    (tmp_path / "LOUD.TXT").write_text("An article with an upper-case suffix.\n", encoding="utf-8")
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / "nested" / "deeper" / "inner.txt").write_text("A nested article.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n\t \r\n")
    (tmp_path / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00\x08\x00" + bytes(range(256)) * 4)
    (tmp_path / "widgets.txt").write_text("No comments:\nPost a Comment\n\nComments\n", encoding="utf-8")
    (tmp_path / ".dotfile.txt").write_text("A hidden article.\n", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "secret.txt").write_text("Inside a hidden folder.\n", encoding="utf-8")
    (tmp_path / "photo.png").write_text("Not an article even though it is text.\n", encoding="utf-8")
    (tmp_path / "data.json").write_text('{"text": "not an article"}\n', encoding="utf-8")
    return tmp_path


def test_a_folder_of_mixed_files_loads_the_good_ones_including_md_and_nested(messy):
    loaded = load_sources([messy])
    names = [Path(s.path).relative_to(messy).as_posix() for s in loaded.sources]
    assert names == ["LOUD.TXT", "good.txt", "nested/deeper/inner.txt", "notes.md"]
    assert loaded.sources[1].text == "Good article. It has sentences.\n"


def test_empty_blank_binary_and_widget_only_files_are_skipped_with_reasons(messy):
    loaded = load_sources([messy])
    reasons = {Path(r.path).name: r.reason for r in loaded.skipped}
    assert set(reasons) == {"empty.txt", "blank.txt", "binary.txt", "widgets.txt"}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.txt"] == "empty file"
    assert "binary" in reasons["binary.txt"] and "NUL" in reasons["binary.txt"]
    assert reasons["widgets.txt"] == "only boilerplate"
    assert all(r.status == "skipped" for r in loaded.skipped)
    assert all(r.sha256 for r in loaded.skipped)  # the bytes were read, so the hash is known


def test_dot_files_hidden_folders_and_non_text_suffixes_are_ignored_not_skipped(messy):
    loaded = load_sources([messy])
    mentioned = {Path(r.path).name for r in loaded.records}
    assert not mentioned & {".dotfile.txt", "secret.txt", "photo.png", "data.json"}


def test_control_characters_without_nul_bytes_are_skipped_as_binary(tmp_path):
    raw = bytes([1, 2, 3, 4, 5, 6, 0x0E, 0x0F, 0x10, 0x11]) * 20 + b" some words"
    (tmp_path / "ctl.txt").write_bytes(raw)
    loaded = load_sources([tmp_path])
    assert loaded.sources == []
    (record,) = loaded.skipped
    assert "control characters" in record.reason


def test_a_missing_path_is_a_skipped_record_not_an_exception(tmp_path):
    (tmp_path / "good.txt").write_text("Good article.\n", encoding="utf-8")
    missing = tmp_path / "nope.txt"
    loaded = load_sources([missing, tmp_path / "good.txt"])
    assert [Path(s.path).name for s in loaded.sources] == ["good.txt"]
    assert loaded.skipped == [SourceRecord(path=str(missing), status="skipped", reason="no such file or folder")]


def test_the_same_file_named_twice_is_loaded_once(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Good article.\n", encoding="utf-8")
    loaded = load_sources([good, good, str(good)])
    assert [s.path for s in loaded.sources] == [str(good)]


def test_a_file_named_via_its_folder_and_directly_in_another_spelling_is_loaded_once(tmp_path, monkeypatch):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "good.txt").write_text("Good article.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    loaded = load_sources(["news", "./news/good.txt", str(tmp_path / "news" / "good.txt")])
    # one article, kept under the first spelling given
    assert [s.path for s in loaded.sources] == ["news/good.txt"]


def test_a_too_large_file_is_skipped_with_a_reason_and_the_rest_load(tmp_path):
    (tmp_path / "big.txt").write_text("word " * 100, encoding="utf-8")
    (tmp_path / "small.txt").write_text("tiny\n", encoding="utf-8")
    loaded = load_sources([tmp_path], max_bytes=100)
    assert [Path(s.path).name for s in loaded.sources] == ["small.txt"]
    (record,) = loaded.skipped
    assert Path(record.path).name == "big.txt"
    assert record.status == "skipped"
    assert record.reason == "too large (500 bytes > 100)"


def test_records_list_briefed_and_skipped_sorted_by_path_with_status_and_reason(messy):
    loaded = load_sources([messy / "nope.md", messy])
    records = loaded.records
    assert [r.path for r in records] == sorted(r.path for r in records)
    by_name = {Path(r.path).name: r for r in records}
    assert {n: r.status for n, r in by_name.items()} == {
        "LOUD.TXT": "briefed",
        "good.txt": "briefed",
        "inner.txt": "briefed",
        "notes.md": "briefed",
        "empty.txt": "skipped",
        "blank.txt": "skipped",
        "binary.txt": "skipped",
        "widgets.txt": "skipped",
        "nope.md": "skipped",
    }
    for r in records:
        if r.status == "briefed":
            assert r.reason is None and r.encoding == "utf-8" and r.sha256
        else:
            assert r.reason
    assert by_name["nope.md"].reason == "no such file or folder"
    assert by_name["notes.md"].title == "# Notes"


def test_inline_text_follows_the_same_rules_as_files():
    source = source_from_text("inline", "Headline here\n\nBody sentence.\nPost a Comment\n")
    assert isinstance(source, Source)
    assert source.title == "Headline here"
    assert source.sha256 == hashlib.sha256("Headline here\n\nBody sentence.\nPost a Comment\n".encode()).hexdigest()
    assert [source.text[s.start : s.end] for s in source.boilerplate] == ["Post a Comment"]
    skipped = source_from_text("inline", "   \n")
    assert isinstance(skipped, SourceRecord) and skipped.reason == "empty file"


def test_a_pull_quote_is_looked_for_only_nearby_so_loading_stays_linear():
    """The original of a pull quote is searched in the PULL_QUOTE_WINDOW characters before it (one search
    per line over a bounded window, not over the whole text); exact repeats are found at any distance."""
    from briefing.sources import PULL_QUOTE_WINDOW

    quote = "the mission is clear and it will not change"
    original = f"The minister said {quote} before he left for the talks.\n"
    filler = "".join(f"Paragraph {i} of the report adds nothing new to the story.\n" for i in range(600))
    assert len(filler) > PULL_QUOTE_WINDOW
    near = original + f"{quote}\n" + filler
    far = original + filler + f"{quote}\n"
    repeated = original + filler + original
    assert [near[s.start : s.end] for s in find_boilerplate(near)] == [quote]
    assert find_boilerplate(far) == []
    assert [repeated[s.start : s.end] for s in find_boilerplate(repeated)] == [original.strip()]


# --------------------------------------------------------------------------- hostile folders and files


def test_a_file_link_in_a_folder_that_points_outside_it_is_skipped_with_its_reason(tmp_path):
    (tmp_path / "secret.txt").write_text("Top secret: the launch codes are 0000.\n", encoding="utf-8")
    articles = tmp_path / "articles"
    (articles / "sub").mkdir(parents=True)
    (articles / "good.txt").write_text("Good article.\n", encoding="utf-8")
    (articles / "sub" / "inside.txt").symlink_to(articles / "good.txt")  # a link inside: fine (read once)
    (articles / "escape.txt").symlink_to(tmp_path / "secret.txt")
    loaded = load_sources([articles])
    assert [Path(s.path).name for s in loaded.sources] == ["good.txt"]
    assert [(Path(r.path).name, r.reason) for r in loaded.skipped] == [
        ("escape.txt", "links outside the articles folder: not read")
    ]


def test_with_an_articles_root_a_link_named_directly_is_not_read_and_paths_are_relative_to_the_root(tmp_path):
    (tmp_path / "secret.txt").write_text("Top secret: the launch codes are 0000.\n", encoding="utf-8")
    root = tmp_path / "articles"
    (root / "2024-05-01").mkdir(parents=True)
    (root / "2024-05-01" / "a.txt").write_text("Good article.\n", encoding="utf-8")
    (root / "escape.txt").symlink_to(tmp_path / "secret.txt")
    loaded = load_sources([root / "2024-05-01", root / "escape.txt"], root=root)
    assert [s.path for s in loaded.sources] == ["2024-05-01/a.txt"]
    assert [(r.path, r.reason) for r in loaded.skipped] == [
        ("escape.txt", "links outside the articles folder: not read")
    ]
    assert str(tmp_path) not in loaded.sources[0].model_dump_json()


def test_a_symlink_loop_and_an_overlong_path_are_skipped_with_reasons_and_the_rest_load(tmp_path):
    (tmp_path / "good.txt").write_text("Good article.\n", encoding="utf-8")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "a.md").symlink_to(tmp_path / "b.md")
    (tmp_path / "b.md").symlink_to(tmp_path / "a.md")
    long_path = str(tmp_path / ("x" * 5000 + ".txt"))
    loaded = load_sources([tmp_path, tmp_path / "loop.txt", long_path])
    assert [Path(s.path).name for s in loaded.sources] == ["good.txt"]
    reasons = sorted(r.reason for r in loaded.skipped)
    assert reasons == [
        f"path too long ({len(long_path):,} characters > 4,096)",
        *["symlink loop (too many levels of symbolic links)"] * 3,  # loop.txt named twice is listed once
    ]


@pytest.fixture
def deep_tree(tmp_path):
    """Folders `d/d/.../d` 1,100 deep under tmp_path, removed bottom-up afterwards (shutil.rmtree, and so
    pytest's own clean-up, recurses once per level and would hit Python's recursion limit)."""
    folders = []
    folder = str(tmp_path)
    for _ in range(1100):
        folder = os.path.join(folder, "d")
        os.mkdir(folder)
        folders.append(folder)
    yield folders
    for folder in reversed(folders):
        for name in os.listdir(folder):
            if name != "d":
                os.unlink(os.path.join(folder, name))
        os.rmdir(folder)


def test_folders_nested_1100_deep_do_not_crash_the_walk_and_the_cut_is_reported(tmp_path, deep_tree):
    from briefing.sources import MAX_FOLDER_DEPTH

    for depth in (3, MAX_FOLDER_DEPTH, 1100):
        with open(os.path.join(deep_tree[depth - 1], f"at{depth}.txt"), "w", encoding="utf-8") as f:
            f.write(f"An article {depth} folders deep.\n")
    loaded = load_sources([tmp_path])  # before: RecursionError from Path.rglob
    assert [Path(s.path).name for s in loaded.sources] == ["at3.txt", f"at{MAX_FOLDER_DEPTH}.txt"]
    (record,) = loaded.skipped
    assert record.reason == f"folder nested more than {MAX_FOLDER_DEPTH} levels deep: not read"
    assert Path(record.path).relative_to(tmp_path).parts == ("d",) * (MAX_FOLDER_DEPTH + 1)


def test_a_nul_byte_anywhere_makes_a_file_binary_not_only_in_its_first_64_kib(tmp_path):
    (tmp_path / "late.txt").write_bytes(b"An ordinary line of text.\n" * 5000 + b"\x00\x00payload")
    (tmp_path / "good.txt").write_text("Good article.\n", encoding="utf-8")
    loaded = load_sources([tmp_path])
    assert [Path(s.path).name for s in loaded.sources] == ["good.txt"]
    assert [(Path(r.path).name, r.reason) for r in loaded.skipped] == [("late.txt", "binary file (contains NUL bytes)")]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_decoded_not_rejected_as_binary(tmp_path, codec):
    text = "Lavrov said “Russia will stay” in Latakia.\nÇa reste incertain.\n"
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(codec, b"")
    raw = bom + text.encode(codec)
    (tmp_path / "wide.txt").write_bytes(raw)
    (source,) = load_sources([tmp_path]).sources
    assert source.text == text
    assert source.encoding == ("utf-32" if codec == "utf-32" else "utf-16")
    assert source.sha256 == hashlib.sha256(raw).hexdigest()


def test_the_same_text_twice_is_briefed_once_and_both_files_are_listed(tmp_path):
    (tmp_path / "a.txt").write_text("Russia deployed 500 troops to Latakia.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Russia deployed 500 troops to Latakia.\n", encoding="utf-8")
    loaded = load_sources([tmp_path])
    assert [Path(s.path).name for s in loaded.sources] == ["a.txt"]
    by_name = {Path(r.path).name: r for r in loaded.records}
    assert by_name["a.txt"].status == "briefed"
    assert by_name["b.txt"].status == "skipped"
    assert (
        by_name["b.txt"].reason == f"duplicate of {tmp_path / 'a.txt'} (the same text; briefed once, under that name)"
    )


def test_two_inline_articles_with_one_name_are_both_kept_under_distinct_names():
    from briefing.api import load_inputs

    loaded = load_inputs(
        articles=[("wire.txt", "First story.\n"), ("wire.txt", "Second story.\n"), ("wire.txt", "x\n")]
    )
    assert [(s.path, s.text) for s in loaded.sources] == [
        ("wire.txt", "First story.\n"),
        ("wire (2).txt", "Second story.\n"),
        ("wire (3).txt", "x\n"),
    ]


def test_a_file_that_cannot_be_opened_is_skipped_with_the_reason_and_the_rest_load(tmp_path, monkeypatch):
    """The suite runs as root, for whom chmod 000 does not stop a read: `open` is made to refuse instead."""
    import builtins

    import briefing.sources as sources_module

    (tmp_path / "good.txt").write_text("Good article.\n", encoding="utf-8")
    (tmp_path / "locked.txt").write_text("Locked article.\n", encoding="utf-8")

    def refusing_open(path, *args, **kwargs):
        if str(path).endswith("locked.txt"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr(sources_module, "open", refusing_open, raising=False)
    loaded = load_sources([tmp_path])
    assert [Path(s.path).name for s in loaded.sources] == ["good.txt"]
    assert [(Path(r.path).name, r.reason) for r in loaded.skipped] == [("locked.txt", "cannot read: Permission denied")]


def test_ten_thousand_small_files_and_a_20_mb_file_all_load(tmp_path):
    """Load only (no model): 10,000 files through the iterative walk, and a file just under MAX_BYTES with a
    NUL check over all of it. (The suite's run time is the measure; no timing is asserted here.)"""
    from briefing.sources import MAX_BYTES

    many = tmp_path / "many"
    many.mkdir()
    for i in range(10_000):
        fd = os.open(many / f"{i:05d}.txt", os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, f"Article {i}: Russia deployed {i} troops to Latakia.\n".encode())
        os.close(fd)
    para = " ".join(f"Sentence {i} of a long report says the talks went on." for i in range(80)) + "\n"
    (tmp_path / "big.txt").write_text(para * ((MAX_BYTES - 100) // len(para)), encoding="utf-8")
    loaded = load_sources([many, tmp_path / "big.txt"])
    assert len(loaded.sources) == 10_001 and loaded.skipped == []
    assert len(loaded.sources[-1].text) > MAX_BYTES - 5000
