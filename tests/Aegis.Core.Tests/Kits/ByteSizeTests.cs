using Aegis.Core.Kits;

namespace Aegis.Core.Tests.Kits;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("512mb", 536_870_912L)]
    [InlineData("512MB", 536_870_912L)]
    [InlineData("512MiB", 536_870_912L)]
    [InlineData("512m", 536_870_912L)]
    [InlineData("1gb", 1_073_741_824L)]
    [InlineData("2g", 2_147_483_648L)]
    [InlineData("256kb", 262_144L)]
    [InlineData("1 tb", 1_099_511_627_776L)]
    [InlineData("7b", 7L)]
    public void Sizes_are_binary_and_case_insensitive(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("512")]
    [InlineData("1.5gb")]
    [InlineData("-1mb")]
    [InlineData("mb")]
    [InlineData("12xb")]
    [InlineData("512mbb")]
    [InlineData("99999999tb")]
    [InlineData("")]
    public void Anything_but_a_whole_number_and_a_known_unit_is_rejected(string text) =>
        Assert.False(ByteSize.TryParse(text, out _));

    [Theory]
    [InlineData(536_870_912L, "512mb")]
    [InlineData(1_073_741_824L, "1gb")]
    [InlineData(1_536L, "1536b")]
    [InlineData(3_072L, "3kb")]
    public void Format_uses_the_largest_unit_that_divides_the_size(long bytes, string text) =>
        Assert.Equal(text, ByteSize.Format(bytes));
}
