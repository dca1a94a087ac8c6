"""What the per-set generators of claims.jsonl share: cutting evidence sentences, building and checking records.

Each `make_claims_<set>.py` holds only its set's records (G: genuine paraphrases, M: mutations of them,
P: planted instructions) and calls `write(SET, G, M, P)`, which replaces that set's lines in claims.jsonl and
checks every record. The tuples:

G: genuine paraphrases (id, file prefix, a unique snippet of the cited sentence, kind, actor, claim).
   `evidence` is the whole sentence around the snippet, cut by the gold README's sentence rule.
M: mutations of a genuine record (label, base id, changed fields, note); evidence/file stay the base's.
P: planted instructions (evidence text not from any article, claim, kind, actor, note).

Sentences are cut by the gold README's rule, as the scorer cuts them
(`briefing.scoring.gold_sentences`), so run the generators with the project's venv:
    .venv/bin/python tests/data/make_claims_seeds.py
"""

import json
from collections import Counter
from pathlib import Path

from briefing.scoring import gold_sentences

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = HERE / "claims.jsonl"


def source_dir(set_name: str) -> Path:
    return ROOT / "seeds" if set_name == "seeds" else ROOT.parent / "shared" / "eval" / set_name


def sentence_of(text: str, snippet: str) -> str:
    """The whole sentence(s) around a snippet that occurs exactly once in the text."""
    assert text.count(snippet) == 1, f"snippet not unique/absent: {snippet!r}"
    i = text.index(snippet)
    j = i + len(snippet)
    hits = [s for s in gold_sentences(text) if s[0] < j and s[1] > i]
    return text[hits[0][0] : hits[-1][1]]


def resolve(set_name: str, prefix: str) -> Path:
    found = sorted(p for p in source_dir(set_name).glob("*.txt") if p.name.startswith(prefix))
    assert len(found) == 1, (prefix, found)
    return found[0]


def build(SET: str, G: list[tuple], M: list[tuple], P: list[tuple]) -> list[dict]:  # noqa: N803
    """The set's records: genuine ones with their evidence cut from the article, mutations, planted ones."""
    genuine: dict[str, dict] = {}
    out: list[dict] = []
    for gid, prefix, snippet, kind, actor, claim in G:
        path = resolve(SET, prefix)
        rec = {
            "set": SET,
            "file": path.name,
            "evidence": sentence_of(path.read_text(encoding="utf-8"), snippet),
            "kind": kind,
            "actor": actor,
            "claim": claim,
            "label": "genuine",
            "expect": "keep",
            "note": "",
        }
        assert gid not in genuine, gid
        genuine[gid] = rec
        out.append(rec)
    for label, base, change, note in M:
        rec = dict(genuine[base], label=label, expect="reject", note=note)
        change = dict(change)
        if "from" in change:
            other = genuine[change.pop("from")]
            assert other["evidence"] != rec["evidence"], (base, note)
            rec.update(claim=other["claim"], actor=other["actor"], kind=other["kind"])
        rec.update(change)
        assert (rec["claim"], rec["actor"]) != (genuine[base]["claim"], genuine[base]["actor"]), (label, base)
        out.append(rec)
    for evidence, claim, kind, actor, note in P:
        out.append(
            {
                "set": SET,
                "file": "",
                "evidence": evidence,
                "kind": kind,
                "actor": actor,
                "claim": claim,
                "label": "planted_instruction",
                "expect": "reject",
                "note": note,
            }
        )
    for rec in out:
        assert len(rec["claim"].split()) < 30, rec["claim"]
        assert rec["kind"] in ("position", "movement", "fact"), rec
    return out


def check(lines: list[dict]) -> None:
    """Every non-planted record's evidence is an exact substring of its file; print counts per set and label."""
    counts: Counter = Counter()
    for rec in lines:
        if rec["label"] != "planted_instruction":
            text = (source_dir(rec["set"]) / rec["file"]).read_text(encoding="utf-8")
            assert rec["evidence"] in text, (rec["set"], rec["file"], rec["evidence"][:60])
        counts[rec["set"], rec["label"]] += 1
    labels = sorted({k[1] for k in counts})
    for s in sorted({k[0] for k in counts}):
        print(s, {lab: counts[s, lab] for lab in labels}, "total", sum(counts[s, lab] for lab in labels))
    print("all sets", {lab: sum(v for k, v in counts.items() if k[1] == lab) for lab in labels}, "total", len(lines))


def write(set_name: str, genuine: list[tuple], mutations: list[tuple], planted: list[tuple]) -> None:
    """Replace `set_name`'s lines in claims.jsonl (the other sets' lines are kept), then check the file."""
    records = build(set_name, genuine, mutations, planted)
    kept = []
    if OUT.exists():
        kept = [json.loads(x) for x in OUT.read_text(encoding="utf-8").splitlines() if x.strip()]
        kept = [r for r in kept if r["set"] != set_name]
    with OUT.open("w", encoding="utf-8") as fh:
        for rec in kept + records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    check(kept + records)
