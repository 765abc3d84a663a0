using Famiglia.Web.Infrastructure;
using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Auth;

/// <summary>Passwords of people: checking a sign-in, setting a password.</summary>
public sealed partial class Accounts(
    IDbContextFactory<FamigliaDbContext> db, IPasswordHasher<User> hasher, IOptions<FamigliaOptions> options, ILogger<Accounts> logger)
{
    // Verified when the handle is unknown, so a wrong handle costs as long as a wrong password.
    private readonly Lazy<string> _decoyHash = new(() => hasher.HashPassword(new User { Handle = "", DisplayName = "" }, Guid.NewGuid().ToString()));

    /// <summary>The handle a login name stands for: <c>alice</c>, <c>alice@dev1.localhost</c> and
    /// <c>@u:alice@dev1.localhost</c> all mean <c>@u:alice@dev1.localhost</c>.</summary>
    public string HandleFor(string login)
    {
        var name = login.Trim().ToLowerInvariant();
        if (name.StartsWith("@u:", StringComparison.Ordinal))
        {
            return name;
        }

        return name.Contains('@', StringComparison.Ordinal) ? "@u:" + name : $"@u:{name}@{options.Value.XmppDomain}";
    }

    /// <summary>The user when the login name and password match, else null.</summary>
    public async Task<User?> VerifyAsync(string? login, string? password, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(login) || string.IsNullOrEmpty(password) || login.Length > 320 || password.Length > 1024)
        {
            return null;
        }

        var handle = HandleFor(login);
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var user = await context.Users.SingleOrDefaultAsync(u => u.Handle == handle, cancellationToken);
        if (user?.PasswordHash is null)
        {
            hasher.VerifyHashedPassword(new User { Handle = handle, DisplayName = "" }, _decoyHash.Value, password);
            SignInFailed(logger, handle);
            return null;
        }

        switch (hasher.VerifyHashedPassword(user, user.PasswordHash, password))
        {
            case PasswordVerificationResult.Success:
                return user;
            case PasswordVerificationResult.SuccessRehashNeeded:
                user.PasswordHash = hasher.HashPassword(user, password);
                await context.SaveChangesAsync(cancellationToken);
                return user;
            default:
                SignInFailed(logger, handle);
                return null;
        }
    }

    /// <summary>Sets a user's sign-in password.</summary>
    public async Task SetPasswordAsync(string userId, string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var user = await context.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new InvalidOperationException($"There is no user '{userId}'.");
        user.PasswordHash = hasher.HashPassword(user, password);
        await context.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(1, LogLevel.Information, "Sign-in failed for {Handle}")]
    private static partial void SignInFailed(ILogger logger, string handle);
}
