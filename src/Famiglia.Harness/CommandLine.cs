using System.Text;

namespace Famiglia.Harness;

/// <summary>Splits a command line the way a POSIX shell splits words: blanks separate, single and double quotes
/// group, a backslash escapes the next character outside single quotes. No expansion of any kind.</summary>
internal static class CommandLine
{
    /// <summary>The words of <paramref name="text"/>; empty when the quotes are unbalanced or there are no words.</summary>
    public static IReadOnlyList<string> Split(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote == '\'')
            {
                if (c == '\'') { quote = null; } else { word.Append(c); }
                continue;
            }

            if (c == '\\' && i + 1 < text.Length && quote != '\'')
            {
                word.Append(text[++i]);
                inWord = true;
                continue;
            }

            if (quote == '"')
            {
                if (c == '"') { quote = null; } else { word.Append(c); }
                continue;
            }

            if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (quote is not null)
        {
            return [];
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
