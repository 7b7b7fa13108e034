<#--
  Token-manager members for pgseal's parser. NON_RESERVED lets the parser answer "can this token
  be a non-reserved keyword used as a name?" with one array read: the build points Calcite's
  NonReservedKeyWord() at it, because without it every syntactic lookahead that tests for a name
  at a token that is not one (a reserved word, punctuation) scans all ~450 non-reserved keywords
  one by one, which profiling showed to be most of the parse time.
-->
    private static final boolean[] NON_RESERVED = new boolean[tokenImage.length];
    static {
<#list (parser.nonReservedKeywords!default.parser.nonReservedKeywords) + (parser.nonReservedKeywordsToAdd!default.parser.nonReservedKeywordsToAdd) as keyword>
        NON_RESERVED[${keyword}] = true;
</#list>
    }

    /** Whether a token of this kind may be read as a name. */
    public boolean pgNonReserved(int kind) {
        return kind >= 0 && kind < NON_RESERVED.length && NON_RESERVED[kind];
    }
