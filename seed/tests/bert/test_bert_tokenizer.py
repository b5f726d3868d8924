"""inference.py's WordPiece tokenizer gives the ids of the Hugging Face tokenizers it stands in for: BertTokenizerFast
(what bert-base-uncased is used with) and the `tokenizers` library's BertWordPieceTokenizer (what train.py trains a
vocabulary with), uncased and cased, on the seed data and on text that exercises every normalization rule."""

from __future__ import annotations

import pytest

from bert_helpers import bert_inference, bert_train, review_texts

TRICKY = [
    "Café naïve résumé ÅNGSTRÖM Straße",
    "ΣΊΣΥΦΟΣ ΟΔΟΣ",  # Greek final sigma: BERT lowercases character by character
    "İstanbul",
    "日本語のテキスト and 中文",
    "\u2028a\u00a0b\u200bc\u200dd\u3000e",  # separators become spaces, format characters vanish
    "a\x85b\x0bc\x00d\ufffde",
    "\U0002B820x \U0002B920y",  # the CJK range boundary the tokenizers library uses
    "e\u0301 e\u20dd m\u0903",  # only nonspacing marks are accents
    "x" * 150,  # longer than a word may be: one [UNK]
    "$5^2`~ don't!!! ...well (really) [sic] {ok}",
    "\U0001d518\U0001d52b\U0001d526 emoji 😀👍🏽 ok",
    "“quoted” — dash – «guillemets» ¿qué? ¡sí!",
    "ﬁne ﬂow ½ ²",
    "",
    "   ",
]


@pytest.fixture(scope="module")
def vocabulary():
    texts = review_texts(1500, seed=3) + TRICKY
    return bert_train.train_vocabulary(texts, 1200, bert_inference.SPECIAL_TOKENS)


@pytest.fixture(scope="module")
def vocab_file(vocabulary, tmp_path_factory):
    path = tmp_path_factory.mktemp("vocab") / "vocab.txt"
    path.write_text("".join(token + "\n" for token in vocabulary), encoding="utf-8")
    return str(path)


def corpus():
    return review_texts(2000, seed=8) + TRICKY


@pytest.mark.parametrize("lowercase", [True, False], ids=["uncased", "cased"])
def test_ids_equal_bert_tokenizer_fast(vocab_file, lowercase):
    from transformers import BertTokenizerFast

    reference = BertTokenizerFast(vocab_file=vocab_file, do_lower_case=lowercase, clean_up_tokenization_spaces=False)
    ours = bert_inference.WordPieceTokenizer(bert_inference.read_vocabulary(vocab_file), lowercase=lowercase)
    mismatches = [text for text in corpus()
                  if ours.encode(text, 512) != reference(text, truncation=True, max_length=512)["input_ids"]]
    assert mismatches == []


def test_ids_equal_the_tokenizers_library_that_trains_the_vocabulary(vocabulary, vocab_file):
    from tokenizers import BertWordPieceTokenizer

    ids = {token: index for index, token in enumerate(vocabulary)}
    reference = BertWordPieceTokenizer(ids, lowercase=True, strip_accents=None, clean_text=True,
                                       handle_chinese_chars=True)
    ours = bert_inference.WordPieceTokenizer(bert_inference.read_vocabulary(vocab_file))
    assert [ours.encode(text, 512) for text in corpus()] == [reference.encode(text).ids for text in corpus()]


@pytest.mark.parametrize("max_length", [8, 16, 128])
def test_long_texts_are_cut_to_max_length_with_cls_and_sep(vocab_file, max_length):
    from transformers import BertTokenizerFast

    reference = BertTokenizerFast(vocab_file=vocab_file, do_lower_case=True, clean_up_tokenization_spaces=False)
    ours = bert_inference.WordPieceTokenizer(bert_inference.read_vocabulary(vocab_file))
    text = " ".join(review_texts(30, seed=2))
    ids = ours.encode(text, max_length)
    assert ids == reference(text, truncation=True, max_length=max_length)["input_ids"]
    assert len(ids) == max_length and ids[0] == ours.cls_id and ids[-1] == ours.sep_id


def test_a_trained_vocabulary_starts_with_the_special_tokens(vocabulary):
    assert vocabulary[:5] == list(bert_inference.SPECIAL_TOKENS)
    assert len(vocabulary) == len(set(vocabulary)) <= 1200
    assert any(token.startswith("##") for token in vocabulary)


def test_batches_are_padded_to_a_multiple_of_8_with_a_mask(vocabulary):
    tokenizer = bert_inference.WordPieceTokenizer(vocabulary)
    encoded = [tokenizer.encode("great", 64), tokenizer.encode("it broke after a day, returning it", 64)]
    input_ids, attention_mask = tokenizer.batch(encoded)
    assert input_ids.shape == attention_mask.shape == (2, 16)
    assert attention_mask.sum(dim=1).tolist() == [len(ids) for ids in encoded]
    assert input_ids[0, len(encoded[0]):].eq(tokenizer.pad_id).all()


def test_a_vocabulary_without_the_bert_special_tokens_is_refused():
    with pytest.raises(ValueError, match=r"no \[CLS\], \[SEP\] token: it is not a BERT WordPiece vocabulary"):
        bert_inference.WordPieceTokenizer(["[PAD]", "[UNK]", "a"])
    with pytest.raises(ValueError, match="lists a token twice"):
        bert_inference.WordPieceTokenizer(list(bert_inference.SPECIAL_TOKENS) + ["a", "a"])


def test_the_cased_flag_keeps_accents_unless_told(vocab_file):
    vocabulary = bert_inference.read_vocabulary(vocab_file)
    assert bert_inference.WordPieceTokenizer(vocabulary, lowercase=False).normalize("Café") == "Café"
    assert bert_inference.WordPieceTokenizer(vocabulary, lowercase=False, strip_accents=True).normalize("Café") \
        == "Cafe"
    assert bert_inference.WordPieceTokenizer(vocabulary).normalize("Café") == "cafe"
