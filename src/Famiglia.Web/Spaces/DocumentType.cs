namespace Famiglia.Web.Spaces;

/// <summary>Spec §7.1.</summary>
public enum DocumentType
{
    /// <summary>TipTap collaborative editing.</summary>
    EDITOR,

    /// <summary>Conversational app with schema and records.</summary>
    APP,

    /// <summary>Aegis-backed AI agent with canvas.</summary>
    AGENT,
}
