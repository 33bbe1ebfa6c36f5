namespace Dendrite.Autodiff;

/// <summary>
/// Which keys each query may attend to, from the pieces Keras' <c>MultiHeadAttention._compute_attention_mask</c> and
/// <c>Attention._calculate_score_mask</c> combine with a logical AND: the query's steps (batch, Tq), the value's and
/// the key's steps (batch, Tv), an explicit mask (batch, Tq, Tv), and the causal mask (key j ≤ query i). Each piece
/// is optional; a nonzero entry attends. The pieces are read row by row while the softmax runs, so the (batch, Tq, Tv)
/// mask is never materialised, and a replayed training step reads the masks of its own batch.
/// </summary>
/// <param name="Query">Per-sample query steps (batch, Tq): a masked query attends to nothing (its row is uniform).</param>
/// <param name="Value">Per-sample value steps (batch, Tv).</param>
/// <param name="Key">Per-sample key steps (batch, Tv).</param>
/// <param name="Explicit">An explicit (batch, Tq, Tv) mask (Keras' <c>attention_mask</c>).</param>
/// <param name="Causal">Whether query i may only attend to keys j ≤ i (Keras' <c>use_causal_mask</c>).</param>
internal readonly record struct AttentionMasks(Tensor? Query = null, Tensor? Value = null, Tensor? Key = null, Tensor? Explicit = null, bool Causal = false)
{
    /// <summary>Whether any piece is present (otherwise every query attends to every key).</summary>
    public bool Any => Query is not null || Value is not null || Key is not null || Explicit is not null || Causal;

    /// <summary>Checks each piece's shape against batch, Tq and Tv.</summary>
    public void Check(int batch, int tq, int tv)
    {
        static void Expect(Tensor? t, string what, params int[] dims)
        {
            if (t is not null && !t.Shape.AsSpan().SequenceEqual(dims))
                throw new ArgumentException($"The {what} should have shape ({string.Join(", ", dims)}), got {t.Shape}.");
        }
        Expect(Query, "query mask", batch, tq);
        Expect(Value, "value mask", batch, tv);
        Expect(Key, "key mask", batch, tv);
        Expect(Explicit, "attention mask", batch, tq, tv);
    }

    /// <summary>Writes 1 (attend) or 0 (masked) for every key of query <paramref name="i"/> of sample <paramref name="b"/>.</summary>
    public void Row(int b, int i, int tq, Span<float> allowed)
    {
        int tv = allowed.Length;
        if (Query is not null && Query.Values[b * tq + i] == 0f)
        {
            allowed.Clear();
            return;
        }
        if (Explicit is not null)
        {
            var row = Explicit.Values.Slice((b * tq + i) * tv, tv);
            for (int j = 0; j < tv; j++) allowed[j] = row[j] != 0f ? 1f : 0f;
        }
        else allowed.Fill(1f);
        if (Value is not null) And(allowed, Value.Values.Slice(b * tv, tv));
        if (Key is not null) And(allowed, Key.Values.Slice(b * tv, tv));
        if (Causal && i + 1 < tv) allowed[(i + 1)..].Clear();
    }

    private static void And(Span<float> allowed, ReadOnlySpan<float> mask)
    {
        for (int j = 0; j < allowed.Length; j++)
            if (mask[j] == 0f) allowed[j] = 0f;
    }
}
