namespace Aegis.Sandbox.Bubblewrap;

/// <summary>Hands out the N of the sandbox links <c>prefix.N.0/30</c>, <paramref name="first"/> to
/// <c>first + count - 1</c>; one pool per daemon process.</summary>
internal sealed class SubnetPool(int first, int count)
{
    private readonly HashSet<int> _leased = [];

    public static SubnetPool Shared { get; } = new(0, 256);

    /// <summary>Slots neither leased here nor in <paramref name="skip"/>, lowest first, each leased as it is yielded.</summary>
    public bool TryLease(ISet<int> skip, out int slot)
    {
        lock (_leased)
        {
            for (slot = first; slot < first + count; slot++)
            {
                if (!skip.Contains(slot) && _leased.Add(slot))
                {
                    return true;
                }
            }
        }

        slot = -1;
        return false;
    }

    public void Release(int slot)
    {
        lock (_leased)
        {
            _leased.Remove(slot);
        }
    }
}
