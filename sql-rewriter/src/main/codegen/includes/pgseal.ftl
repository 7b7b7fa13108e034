<#--
  pgseal's grammar extensions for the SQL PostgreSQL applications send. Written for pgseal
  against the productions of Calcite's Parser.jj template; PostgreSQL's gram.y is the reference
  for what each clause accepts.

  Unquoted words reach this parser already folded to lower case (pgseal's pre-lexer writes each
  name as PostgreSQL looks it up), so soft keywords that Calcite does not know (CONFLICT, DO,
  NOTHING, SHARE, NOWAIT, LOCKED) are matched as identifiers by their image; they stay
  usable as column names.
-->

<DEFAULT, DQID, BTID, BQID, BQHID> TOKEN :
{
    < PG_INFIX_CAST: "::" >
|
    // PostgreSQL's INTERVAL 'text' with no unit after it. Calcite's own INTERVAL literal demands a
    // unit, so the pre-lexer marks this form by writing U+E000 over the I (same length, and no
    // name can hold U+E000: the pre-lexer refuses one).
    < PG_INTERVAL: "\ue000nterval" >
}

/**
 * {@code INTERVAL 'text'} (marked by the pre-lexer): a CAST of the string to the type
 * {@code interval}, spanning the whole literal, as PostgreSQL's typed literal means.
 */
SqlNode PgIntervalLiteral() :
{
    final Span s;
    final SqlNode text;
    final SqlParserPos typePos;
}
{
    <PG_INTERVAL> { s = span(); typePos = getPos(); }
    text = StringLiteral()
    {
        return SqlStdOperatorTable.CAST.createCall(s.end(this), text,
            new SqlDataTypeSpec(new SqlUserDefinedTypeNameSpec("interval", typePos), typePos));
    }
}

/**
 * {@code DISTINCT ON (expr, …)} right after SELECT (the build points Calcite's empty
 * SqlSelectKeywords() hook here). It becomes the select's DISTINCT keyword, so
 * {@code SqlSelect.isDistinct()} holds, carrying the expressions.
 */
void PgSelectKeywords(List<SqlLiteral> keywords) :
{
    final Span s;
    final List<SqlNode> list = new ArrayList<SqlNode>();
}
{
    [
        LOOKAHEAD(2) <DISTINCT> { s = span(); } <ON> <LPAREN>
        AddExpression(list, ExprContext.ACCEPT_NON_QUERY)
        ( <COMMA> AddExpression(list, ExprContext.ACCEPT_NON_QUERY) )*
        <RPAREN> {
            keywords.add(new PgDistinctOn(s.end(this), new SqlNodeList(list, Span.of(list).pos())));
        }
    ]
}

/** A soft keyword: an unquoted identifier spelled {@code word}. */
void PgWord(String word) :
{
}
{
    <IDENTIFIER> {
        if (!token.image.equals(word)) {
            throw new ParseException("Encountered \"" + token.image + "\" at line "
                + token.beginLine + ", column " + token.beginColumn + ". Was expecting \""
                + word.toUpperCase(Locale.ROOT) + "\"");
        }
    }
}

/** {@code RETURNING item, …} with the select-list items of a SELECT ({@code *}, {@code t.*}, aliases). */
SqlNodeList PgReturning() :
{
    final List<SqlNode> items = new ArrayList<SqlNode>();
    final Span s;
}
{
    <RETURNING> { s = span(); }
    AddSelectItem(items)
    ( <COMMA> AddSelectItem(items) )*
    { return new SqlNodeList(items, s.end(this)); }
}

/** {@code col = expr | col = DEFAULT}, comma separated, as after SET. */
void PgAssignments(SqlNodeList targets, SqlNodeList sources) :
{
    SqlIdentifier column;
    SqlNode value;
}
{
    column = CompoundIdentifier() <EQ>
    (
        LOOKAHEAD(1) <DEFAULT_> { value = SqlStdOperatorTable.DEFAULT.createCall(getPos()); }
    |
        value = Expression(ExprContext.ACCEPT_SUB_QUERY)
    )
    { targets.add(column); sources.add(value); }
    (
        <COMMA> column = CompoundIdentifier() <EQ>
        (
            LOOKAHEAD(1) <DEFAULT_> { value = SqlStdOperatorTable.DEFAULT.createCall(getPos()); }
        |
            value = Expression(ExprContext.ACCEPT_SUB_QUERY)
        )
        { targets.add(column); sources.add(value); }
    )*
}

/**
 * {@code INSERT INTO t [AS alias] [(cols)] query [ON CONFLICT …] [RETURNING …]}, where query is
 * VALUES or a SELECT.
 */
SqlNode PgInsertStatement() :
{
    final Span s;
    final SqlIdentifier table;
    SqlIdentifier alias = null;
    SqlNodeList columns = null;
    final SqlNode source;
    PgOnConflict onConflict = null;
    SqlNodeList returning = null;
}
{
    <INSERT> { s = span(); }
    <INTO> table = CompoundTableIdentifier()
    [ <AS> alias = SimpleIdentifier() ]
    [ LOOKAHEAD(2) columns = ParenthesizedSimpleIdentifierList() ]
    source = OrderedQueryOrExpr(ExprContext.ACCEPT_QUERY)
    [ onConflict = PgOnConflict() ]
    [ returning = PgReturning() ]
    {
        return new PgInsert(s.end(this), table, alias, columns, source, onConflict, returning);
    }
}

/**
 * {@code ON CONFLICT [(target, …) [WHERE …] | ON CONSTRAINT name] DO NOTHING | DO UPDATE SET …
 * [WHERE …]}.
 */
PgOnConflict PgOnConflict() :
{
    final Span s;
    SqlNodeList conflictColumns = null;
    SqlNode conflictWhere = null;
    SqlIdentifier constraint = null;
    SqlNodeList targets = null;
    SqlNodeList sources = null;
    SqlNode condition = null;
    final List<SqlNode> list = new ArrayList<SqlNode>();
    final Span cs;
}
{
    <ON> { s = span(); } PgWord("conflict")
    [
        <LPAREN> { cs = span(); }
        AddExpression(list, ExprContext.ACCEPT_NON_QUERY)
        ( <COMMA> AddExpression(list, ExprContext.ACCEPT_NON_QUERY) )*
        <RPAREN> { conflictColumns = new SqlNodeList(list, cs.end(this)); }
        [ conflictWhere = Where() ]
    |
        <ON> <CONSTRAINT> constraint = SimpleIdentifier()
    ]
    PgWord("do")
    (
        PgWord("nothing")
    |
        <UPDATE> <SET> {
            targets = new SqlNodeList(getPos());
            sources = new SqlNodeList(getPos());
        }
        PgAssignments(targets, sources)
        [ condition = Where() ]
    )
    {
        return new PgOnConflict(s.end(this), conflictColumns, conflictWhere, constraint, targets,
            sources, condition);
    }
}

/** {@code UPDATE t [[AS] alias] SET … [FROM …] [WHERE …] [RETURNING …]}. */
SqlNode PgUpdateStatement() :
{
    final Span s;
    final SqlIdentifier table;
    SqlIdentifier alias = null;
    final SqlNodeList targets;
    final SqlNodeList sources;
    SqlNode from = null;
    SqlNode where = null;
    SqlNodeList returning = null;
}
{
    <UPDATE> { s = span(); }
    table = CompoundTableIdentifier()
    [ [ <AS> ] alias = SimpleIdentifier() ]
    <SET> {
        targets = new SqlNodeList(getPos());
        sources = new SqlNodeList(getPos());
    }
    PgAssignments(targets, sources)
    [ <FROM> from = FromClause() ]
    [ where = Where() ]
    [ returning = PgReturning() ]
    {
        return new PgUpdate(s.end(this), table, targets, sources, where, alias, from, returning);
    }
}

/** {@code DELETE FROM t [[AS] alias] [USING …] [WHERE …] [RETURNING …]}. */
SqlNode PgDeleteStatement() :
{
    final Span s;
    final SqlIdentifier table;
    SqlIdentifier alias = null;
    SqlNode using = null;
    SqlNode where = null;
    SqlNodeList returning = null;
}
{
    <DELETE> { s = span(); }
    <FROM> table = CompoundTableIdentifier()
    [ [ <AS> ] alias = SimpleIdentifier() ]
    [ <USING> using = FromClause() ]
    [ where = Where() ]
    [ returning = PgReturning() ]
    {
        return new PgDelete(s.end(this), table, where, alias, using, returning);
    }
}

/**
 * A query statement with an optional locking clause. The semantic guard keeps the LOOKAHEAD(2)
 * that SqlStmt() puts before statement methods from taking SET, RESET, ALTER … as the start of
 * an expression.
 */
SqlNode PgQueryStatement() :
{
    SqlNode query;
    PgSelectLocking.Strength strength;
    final List<SqlNode> of = new ArrayList<SqlNode>();
    PgSelectLocking.WaitPolicy wait = PgSelectLocking.WaitPolicy.WAIT;
    SqlIdentifier id;
}
{
    (
        LOOKAHEAD({ getToken(1).kind == SELECT || getToken(1).kind == WITH
            || getToken(1).kind == VALUES || getToken(1).kind == TABLE
            || getToken(1).kind == LPAREN })
        query = OrderedQueryOrExpr(ExprContext.ACCEPT_QUERY)
    |
        LOOKAHEAD({ false }) <BEL> { query = null; }
    )
    {
        // SqlOrderBy's own position starts at ORDER BY, SqlWith's ends after the WITH list; a
        // statement's spans the statement.
        if (query instanceof SqlOrderBy) {
            final SqlOrderBy o = (SqlOrderBy) query;
            query = new SqlOrderBy(Span.of(o.query).end(this), o.query, o.orderList, o.offset,
                o.fetch);
        } else if (query instanceof SqlWith) {
            final SqlWith w = (SqlWith) query;
            query = new SqlWith(Span.of(w).end(this), w.withList, w.body);
        }
    }
    [
        <FOR>
        (
            <UPDATE> { strength = PgSelectLocking.Strength.UPDATE; }
        |
            <NO> <KEY> <UPDATE> { strength = PgSelectLocking.Strength.NO_KEY_UPDATE; }
        |
            <KEY> PgWord("share") { strength = PgSelectLocking.Strength.KEY_SHARE; }
        |
            PgWord("share") { strength = PgSelectLocking.Strength.SHARE; }
        )
        [
            <OF> id = CompoundIdentifier() { of.add(id); }
            ( <COMMA> id = CompoundIdentifier() { of.add(id); } )*
        ]
        [
            LOOKAHEAD({ getToken(1).kind == IDENTIFIER && getToken(1).image.equals("nowait") })
            <IDENTIFIER> { wait = PgSelectLocking.WaitPolicy.NOWAIT; }
        |
            <SKIP_> PgWord("locked") { wait = PgSelectLocking.WaitPolicy.SKIP_LOCKED; }
        ]
        {
            return new PgSelectLocking(Span.of(query).end(this), query, strength,
                new SqlNodeList(of, Span.of(of).pos()), wait);
        }
    ]
    { return query; }
}

/**
 * PostgreSQL's {@code expr::type} (and {@code ::type[]}): an operator item for Calcite's
 * precedence parser; {@link PgCastOperator} turns it into an ordinary CAST call spanning
 * {@code expr::type}.
 */
void PgInfixCast(List<Object> list, ExprContext exprContext, Span s) :
{
    SqlDataTypeSpec type;
    final SqlParserPos opPos;
}
{
    <PG_INFIX_CAST> {
        checkNonQueryExpression(exprContext);
        opPos = getPos();
    }
    (
        // Calcite's INTERVAL type needs a unit; PostgreSQL's interval is a plain type name.
        <INTERVAL> {
            type = new SqlDataTypeSpec(new SqlUserDefinedTypeNameSpec("interval", getPos()), getPos());
        }
    |
        type = DataType()
    )
    (
        <LBRACKET> <RBRACKET> {
            final SqlParserPos p = type.getParserPosition().plus(getPos());
            type = new SqlDataTypeSpec(
                new SqlCollectionTypeNameSpec(type.getTypeNameSpec(), SqlTypeName.ARRAY, p), p);
        }
    )*
    {
        list.add(new SqlParserUtil.ToTreeListItem(PgCastOperator.INSTANCE, opPos));
        list.add(type);
    }
}
