namespace DigitServer;

/// <summary>A request whose body cannot be classified; the message names what is wrong and is sent back with a 400.</summary>
internal sealed class BadInputException(string message) : Exception(message);
