"""SOP step 2's first look at a comment: its category, whether it touches internal policy, and why.

`classify` is the one entry point. The text is normalised first (tasks/normalize.py), then a
linear model over character and word n-grams, trained on the project's labelled comments, is
combined with the office's rules (templates/triage_rules.toml). Spam needs evidence beyond
the model's word: a gambling or advert term, a foreign link, a phone number or a disguise, so
"slot pendaftaran" or "kambing gacor" never end up hidden. The approver sees the reasons.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from tanggap.settings import get_settings

from .labelled import CATEGORIES, TRAINING_FILE, Example, read_examples
from .normalize import COMBINING, DISGUISED_DOMAIN, HOMOGLYPH, INVISIBLE, LEET, SPACED, Normalized, normalize
from .triage_rules import CUE_KINDS, RuleHits, Rules, load_rules

MODEL_VERSION = "1"  # bump when the features change: cached models are then retrained
HIGH_CONFIDENCE = 0.85  # at or above it a spam verdict may pre-select hiding the comment
RULE_SPAM_CONFIDENCE = 0.97
POLICY_THRESHOLD = 0.35  # low: a missed policy matter costs more than an escalation hint the approver drops
MODEL_SPAM_MINIMUM = 0.5  # below it the model's spam reading needs the rules' backing

CATEGORY_LABELS = {
    "pertanyaan": "Pertanyaan",
    "keluhan": "Keluhan",
    "saran": "Saran",
    "apresiasi": "Apresiasi/sapaan",
    "kasar": "Kata kasar",
    "spam": "Spam/promosi",
    # Categories of cases triaged before the six above existed; their rows stay readable.
    "aduan": "Keluhan (aduan)",
    "umum": "Komentar umum",
}
_DISGUISE_NAMES = {
    HOMOGLYPH: "huruf tiruan (abjad lain, huruf bergaya atau simbol)",
    INVISIBLE: "karakter tak terlihat di antara huruf",
    COMBINING: "tanda coret/hiasan pada huruf",
    SPACED: "huruf dipisah spasi, titik atau emoji",
    LEET: "angka atau simbol pengganti huruf",
    DISGUISED_DOMAIN: "alamat situs disamarkan (\"titik com\", \"[dot]\")",
}
# Links every X post carries: the platform shortens all URLs, so t.co says nothing about spam.
_PLATFORM_LINKS = {"x": ("t.co",)}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Triage:
    """What triage says about one comment; a hint for the approver, never a decision."""

    category: str
    policy: bool
    confidence: float
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]

    def as_record(self) -> dict:
        return {"category": self.category, "policy": self.policy, "confidence": round(self.confidence, 3),
                "reasons": list(self.reasons)}


def _cue_vector(normalized: Normalized, hits: RuleHits) -> list[float]:
    """The rules' signals as numbers next to the n-grams (capped: a flood of one word is one signal)."""
    def n(items) -> float:
        return float(min(len(items), 3))

    return [
        n(hits.gambling), n(hits.gambling_weak), n(hits.advert), n(hits.invitation), n(hits.foreign_domains),
        n(hits.phones), n(normalized.disguises), n(hits.abuse), n(hits.policy),
        *[n(hits.cues[kind]) for kind in CUE_KINDS],
        float("?" in normalized.text),
    ]


class TriageModel:
    """Character and word n-grams plus the rules' signals, into two linear models (category, policy)."""

    CUE_WEIGHT = 0.35

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32)
        self.words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                     token_pattern=r"(?u)\b\w+\b", dtype=np.float32)
        self.category = LogisticRegression(C=10, max_iter=3000, class_weight="balanced")
        self.policy = LogisticRegression(C=10, max_iter=3000, class_weight="balanced")

    def _matrix(self, items: list[tuple[Normalized, RuleHits]], *, fit: bool = False):
        from scipy.sparse import csr_matrix, hstack

        texts = [normalized.text for normalized, _ in items]
        chars = self.chars.fit_transform(texts) if fit else self.chars.transform(texts)
        words = self.words.fit_transform(texts) if fit else self.words.transform(texts)
        cues = csr_matrix(np.array([_cue_vector(n, h) for n, h in items], dtype=np.float32) * self.CUE_WEIGHT)
        return hstack([chars, words, cues], format="csr")

    def fit(self, items: list[tuple[Normalized, RuleHits]], examples: list[Example]) -> TriageModel:
        matrix = self._matrix(items, fit=True)
        self.category.fit(matrix, [e.category for e in examples])
        self.policy.fit(matrix, [e.policy for e in examples])
        return self

    def predict(self, items: list[tuple[Normalized, RuleHits]]) -> tuple[np.ndarray, np.ndarray]:
        """Per item: the probability of each category (in CATEGORIES order) and of touching policy."""
        matrix = self._matrix(items)
        order = [list(self.category.classes_).index(c) for c in CATEGORIES]
        policy_column = list(self.policy.classes_).index(True)
        return self.category.predict_proba(matrix)[:, order], self.policy.predict_proba(matrix)[:, policy_column]


def _read(text: str, rules: Rules, channel: str | None) -> tuple[Normalized, RuleHits]:
    normalized = normalize(text)
    return normalized, rules.apply(normalized.text, normalized.domains,
                                   ignore_domains=_PLATFORM_LINKS.get(channel or "", ()))


def train(examples: list[Example], rules: Rules | None = None) -> TriageModel:
    rules = rules or load_rules()
    return TriageModel().fit([_read(e.text, rules, None) for e in examples], examples)


def _fingerprint(rules: Rules) -> str:
    import sklearn

    digest = hashlib.sha256(TRAINING_FILE.read_bytes())
    digest.update(f"{rules.fingerprint}|{sklearn.__version__}|{MODEL_VERSION}".encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def model() -> TriageModel:
    """The model for this process: from the cache in the data folder, else trained from the labelled file."""
    rules = load_rules()
    cached = get_settings().data_dir / "model" / f"triage-{_fingerprint(rules)}.pickle"
    if cached.exists():
        try:
            with cached.open("rb") as handle:
                return pickle.load(handle)  # written by this code, in our own data folder
        except Exception as exc:  # a truncated or foreign file is rebuilt, never trusted
            log.warning("cached triage model %s unusable (%s); retraining", cached, exc)
    trained = train(read_examples(TRAINING_FILE), rules)
    _store(cached, trained)
    return trained


def _store(path: Path, trained: TriageModel) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(pickle.dumps(trained))
        temporary.replace(path)
    except OSError as exc:  # a read-only data folder only costs a retraining next time
        log.warning("triage model not cached at %s: %s", path, exc)


def _spam_evidence(normalized: Normalized, hits: RuleHits) -> tuple[list[str], bool]:
    """Reasons to call it spam, and whether they suffice without the model."""
    reasons = []
    if hits.gambling:
        reasons.append("istilah judi online: " + ", ".join(hits.gambling[:4]))
    if hits.advert:
        reasons.append("istilah iklan: " + ", ".join(hits.advert[:4]))
    if hits.gambling_weak and (hits.invitation or hits.foreign_domains or hits.phones):
        reasons.append("kata yang sering dipakai iklan judi: " + ", ".join(hits.gambling_weak[:4]))
    if hits.invitation:
        reasons.append("ajakan khas iklan: " + ", ".join(hits.invitation[:3]))
    if hits.foreign_domains:
        reasons.append("tautan ke situs luar: " + ", ".join(hits.foreign_domains[:3]))
    if hits.phones:
        reasons.append("mencantumkan nomor telepon/WA")
    for disguise in sorted(normalized.disguises):
        reasons.append("tulisan disamarkan: " + _DISGUISE_NAMES[disguise])
    strong = len(hits.gambling) + len(hits.advert)
    # "judi" inside "judi online" is the same evidence, not a second one.
    independent_weak = [w for w in hits.gambling_weak if not any(w in s for s in hits.gambling)]
    support = bool(hits.invitation or hits.foreign_domains or hits.phones or normalized.disguises or independent_weak)
    weak_pair = len(independent_weak) >= 2 and bool(hits.invitation or hits.foreign_domains or hits.phones)
    return reasons, strong >= 2 or (strong >= 1 and support) or weak_pair


def _decide(normalized: Normalized, hits: RuleHits, probabilities: np.ndarray, policy_probability: float) -> Triage:
    ranked = sorted(zip(CATEGORIES, probabilities), key=lambda pair: -pair[1])
    spam_reasons, rules_say_spam = _spam_evidence(normalized, hits)
    reasons: list[str] = []
    if rules_say_spam:
        category, confidence = "spam", max(RULE_SPAM_CONFIDENCE, float(probabilities[CATEGORIES.index("spam")]))
        reasons += spam_reasons
    else:
        if ranked[0][0] == "spam" and (not spam_reasons or ranked[0][1] < MODEL_SPAM_MINIMUM):
            # The model alone never hides a citizen's comment: without a clear sign, take the next reading.
            ranked = [pair for pair in ranked if pair[0] != "spam"]
            reasons.append("agak mirip spam menurut model, tetapi tanda spamnya kurang: tidak dianggap spam")
        category, confidence = ranked[0][0], float(ranked[0][1])
        if category == "spam":
            reasons += spam_reasons
        elif hits.gambling_weak or hits.gambling:
            words = ", ".join(dict.fromkeys(hits.gambling + hits.gambling_weak))
            reasons.append(f"kata '{words}' dipakai dalam arti biasa (tanpa tanda judi atau iklan lain)")
    reasons.insert(0, f"model: paling mirip contoh {CATEGORY_LABELS[category].lower()} (keyakinan {confidence:.2f})")
    if category == "kasar" and hits.abuse:
        reasons.append("kata kasar: " + ", ".join(hits.abuse[:4]))
    policy = category != "spam" and (bool(hits.policy) or policy_probability >= POLICY_THRESHOLD)
    if policy:
        reasons.append("menyangkut kebijakan internal"
                       + (": " + ", ".join(hits.policy[:4]) if hits.policy else f" (model, {policy_probability:.2f})")
                       + " — pertimbangkan eskalasi ke Kepala Balai")
    return Triage(category=category, policy=policy, confidence=round(confidence, 3), reasons=reasons)


def classify_many(texts: list[str], channel: str | None = None) -> list[Triage]:
    """Triage a batch at once (one model call for all): what the periodic check uses."""
    if not texts:
        return []
    rules = load_rules()
    items = [_read(text, rules, channel) for text in texts]
    probabilities, policy = model().predict(items)
    return [_decide(n, h, p, float(q)) for (n, h), p, q in zip(items, probabilities, policy)]


def classify(text: str, channel: str | None = None) -> Triage:
    """Triage one comment; `channel` is the channel kind (e.g. "x"), whose own conventions are discounted."""
    return classify_many([text], channel)[0]
