"""Progress notes: dated records in docs/progress/posts/, shown by Material's blog plugin.

`naming` knows the file name, `template` writes a new note, `document` splits a note
into front matter and body lines, `checks` holds the rules, `validate` runs them all.
`python -m papertrade_docs.notes check|new` is the command line.
"""
