"""Reports of an analysis: `terminal.render_terminal` (rich) and `html.render_html` (one self-contained page)."""
