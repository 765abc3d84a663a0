namespace Famiglia.Kit;

/// <summary>A hook cannot do its job (famiglia-web unreachable, a malformed request, an unknown app). The message
/// goes to stderr, which aegisd shows in the hook's error, so it says what to fix and never holds a secret.</summary>
internal sealed class HookFailedException(string message, Exception? innerException = null) : Exception(message, innerException);
