namespace Dendrite.Tests.Reliability;

/// <summary>
/// One bad-input case: a call into a public entry point that must fail with <see cref="Expected"/> (or a subclass of it)
/// whose message contains every one of <see cref="MessageParts"/> (ordinal, case-insensitive): the parameter, layer or
/// argument, what was expected and what was given.
/// </summary>
internal sealed record BadInputCase(string Group, string Name, Action Act, Type Expected, string[] MessageParts)
{
    /// <summary>The case's id in the test explorer: <c>group: name</c>.</summary>
    public string Id => $"{Group}: {Name}";
}

/// <summary>Collects cases under the group of the entry point being tried.</summary>
internal sealed class BadInputCases
{
    private readonly List<BadInputCase> _cases = [];
    private string _group = "";

    public IReadOnlyList<BadInputCase> All => _cases;

    /// <summary>Subsequent cases belong to <paramref name="group"/>.</summary>
    public BadInputCases Group(string group)
    {
        _group = group;
        return this;
    }

    /// <summary>A case that must throw <typeparamref name="TException"/> with a message holding <paramref name="parts"/>.</summary>
    public BadInputCases Add<TException>(string name, Action act, params string[] parts) where TException : Exception
    {
        var c = new BadInputCase(_group, name, act, typeof(TException), parts);
        if (_cases.Exists(e => e.Id == c.Id)) throw new InvalidOperationException($"Duplicate bad-input case '{c.Id}'.");
        _cases.Add(c);
        return this;
    }

    /// <summary>An <see cref="ArgumentException"/> (or subclass) case.</summary>
    public BadInputCases Arg(string name, Action act, params string[] parts) => Add<ArgumentException>(name, act, parts);

    /// <summary>An <see cref="ArgumentNullException"/> case; its parameter name must be <paramref name="parameter"/>.</summary>
    public BadInputCases Null(string name, Action act, string parameter) => Add<ArgumentNullException>(name, act, parameter);

    /// <summary>An <see cref="InvalidOperationException"/> case.</summary>
    public BadInputCases Invalid(string name, Action act, params string[] parts) => Add<InvalidOperationException>(name, act, parts);

    /// <summary>Calls a function and drops its result (cases are actions).</summary>
    public static Action Call<T>(Func<T> f) => () => f();
}
