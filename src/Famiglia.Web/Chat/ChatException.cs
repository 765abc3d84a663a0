namespace Famiglia.Web.Chat;

/// <summary>A chat request refused, with a message fit to show the user.</summary>
public sealed class ChatException(ChatError error, string message, string? field = null, Exception? innerException = null)
    : Exception(message, innerException)
{
    public ChatError Error { get; } = error;

    /// <summary>For <see cref="ChatError.Validation"/>: the invalid argument, e.g. <c>body</c>.</summary>
    public string? Field { get; } = field;

    public static ChatException Invalid(string field, string problem) => new(ChatError.Validation, $"Invalid {field}: {problem}", field);
}
