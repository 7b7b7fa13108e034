package dev.pgseal.sql.plan;

import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * One statement as the parser read it, with parser positions mapped to offsets into the text the
 * parser was given.
 */
interface ParsedStatement {

    /** The statement's tree. */
    SqlNode node();

    /** Offset of the first character {@code pos} covers. */
    int start(SqlParserPos pos);

    /** Offset after the last character {@code pos} covers. */
    int end(SqlParserPos pos);
}
