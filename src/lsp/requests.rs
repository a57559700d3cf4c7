//! Answers to the client's requests on open files: hover, definition,
//! references, completion, formatting, symbols, code lenses and actions.

use super::*;

impl<W: Write> Server<W> {
    /// The latest analysis of an open rule file's folder, the file's id in
    /// it and the byte offset of a position (in that analysis's text of
    /// the file: it may be a moment older than the buffer).
    pub(super) fn locate(
        &self,
        uri: &lt::Uri,
        pos: lt::Position,
    ) -> Option<(Arc<RuleFolder>, crate::diag::FileId, usize)> {
        let uri = uri.as_str();
        let doc = self.docs.get(uri)?;
        if doc.kind != Kind::Rules || doc.oversize {
            return None;
        }
        let key = folder_key(uri, doc);
        let f = self.folders.get(&key)?.current.clone()?;
        let file = f.file_of_uri(uri)?;
        let offset = file.lines.offset(f.text(file.id), pos, self.enc);
        let id = file.id;
        Some((f, id, offset))
    }

    pub(super) fn location(&self, f: &RuleFolder, span: crate::diag::Span) -> Option<lt::Location> {
        let file = f.file(span.file).filter(|x| x.is_users())?;
        Some(lt::Location {
            uri: file.uri.parse().ok()?,
            range: file
                .lines
                .range(f.text(span.file), span.start as usize, span.end as usize, self.enc),
        })
    }

    /// The rules a case file is read with, when they are at hand (its
    /// workspace's, analysed and checking; else the built-in ones, loaded).
    pub(super) fn case_rules(&self, doc: &Document) -> Option<Arc<RuleSet>> {
        let dir = doc
            .path
            .as_deref()
            .and_then(|p| p.parent())
            .and_then(workspace::find_rules_dir);
        match dir {
            Some(dir) => self.folders.get(&FolderKey::Dir(dir))?.current.as_ref()?.rules.clone(),
            None => match self.builtin.get()? {
                Ok(rs) => Some(rs.clone()),
                Err(_) => None,
            },
        }
    }

    pub(super) fn case_hover(&self, uri: &str, pos: lt::Position) -> Answer {
        let Some(doc) = self.docs.get(uri).filter(|d| !d.oversize) else {
            return Ok(Value::Null);
        };
        let Some(rules) = self.case_rules(doc) else {
            return Ok(Value::Null);
        };
        let offset = doc.lines.offset(&doc.text, pos, self.enc);
        let Some((markdown, start, end)) = case::hover(&rules, &doc.text, offset) else {
            return Ok(Value::Null);
        };
        to_value(lt::Hover {
            contents: lt::HoverContents::Markup(lt::MarkupContent {
                kind: lt::MarkupKind::Markdown,
                value: markdown,
            }),
            range: Some(doc.lines.range(&doc.text, start, end, self.enc)),
        })
    }

    pub(super) fn is_case(&self, uri: &lt::Uri) -> bool {
        self.docs
            .get(uri.as_str())
            .is_some_and(|d| matches!(d.kind, Kind::Case { json: false }))
    }

    pub(super) fn hover(&mut self, p: lt::HoverParams) -> Answer {
        let tdp = p.text_document_position_params;
        if self.is_case(&tdp.text_document.uri) {
            return self.case_hover(tdp.text_document.uri.as_str(), tdp.position);
        }
        let Some((f, id, offset)) = self.locate(&tdp.text_document.uri, tdp.position) else {
            return Ok(Value::Null);
        };
        let Some(occ) = f.index.at(id, offset) else {
            return Ok(Value::Null);
        };
        let Some(markdown) = hover::render(&f, &occ.symbol) else {
            return Ok(Value::Null);
        };
        let range = self.location(&f, occ.span).map(|l| l.range);
        to_value(lt::Hover {
            contents: lt::HoverContents::Markup(lt::MarkupContent {
                kind: lt::MarkupKind::Markdown,
                value: markdown,
            }),
            range,
        })
    }

    pub(super) fn definition(&mut self, p: lt::GotoDefinitionParams) -> Answer {
        let tdp = p.text_document_position_params;
        let Some((f, id, offset)) = self.locate(&tdp.text_document.uri, tdp.position) else {
            return Ok(Value::Null);
        };
        let Some(def) = f.index.at(id, offset).and_then(|o| f.index.definition(&o.symbol)) else {
            return Ok(Value::Null);
        };
        match self.location(&f, def.span) {
            Some(l) => to_value(lt::GotoDefinitionResponse::Scalar(l)),
            None => Ok(Value::Null),
        }
    }

    pub(super) fn references(&mut self, p: lt::ReferenceParams) -> Answer {
        let tdp = p.text_document_position;
        let Some((f, id, offset)) = self.locate(&tdp.text_document.uri, tdp.position) else {
            return Ok(Value::Null);
        };
        let Some(occ) = f.index.at(id, offset) else {
            return Ok(Value::Null);
        };
        let with_decl = p.context.include_declaration;
        let locations: Vec<lt::Location> = f
            .index
            .references(&occ.symbol)
            .filter(|o| with_decl || !o.def)
            .filter_map(|o| self.location(&f, o.span))
            .collect();
        to_value(locations)
    }

    pub(super) fn completion(&mut self, p: lt::CompletionParams) -> Answer {
        let tdp = p.text_document_position;
        let uri = tdp.text_document.uri.as_str();
        if self.is_case(&tdp.text_document.uri) {
            let Some(doc) = self.docs.get(uri).filter(|d| !d.oversize) else {
                return Ok(Value::Null);
            };
            let Some(rules) = self.case_rules(doc) else {
                return Ok(Value::Null);
            };
            let offset = doc.lines.offset(&doc.text, tdp.position, self.enc);
            return to_value(lt::CompletionResponse::List(lt::CompletionList {
                is_incomplete: false,
                items: case::complete(&rules, &doc.text, offset),
            }));
        }
        // The buffer as it is now (the analysis may be a keystroke older:
        // the `.` just typed is in the buffer, maybe not in the analysis).
        let Some(doc) = self.docs.get(uri).filter(|d| d.kind == Kind::Rules && !d.oversize) else {
            return Ok(Value::Null);
        };
        let Some(f) = self
            .folders
            .get(&folder_key(uri, doc))
            .and_then(|st| st.current.clone())
        else {
            return Ok(Value::Null);
        };
        let offset = doc.lines.offset(&doc.text, tdp.position, self.enc);
        let items = completion::complete(&f, &doc.text, offset);
        to_value(lt::CompletionResponse::List(lt::CompletionList {
            is_incomplete: false,
            items,
        }))
    }

    pub(super) fn formatting(&mut self, p: lt::DocumentFormattingParams) -> Answer {
        let Some(doc) = self.docs.get(p.text_document.uri.as_str()) else {
            return Err((INVALID_PARAMS, "the document is not open".into()));
        };
        if doc.kind != Kind::Rules || doc.oversize {
            return Ok(Value::Null);
        }
        match crate::format::format_source(crate::diag::FileId(0), &doc.text) {
            Ok(new) if new == doc.text => to_value(Vec::<lt::TextEdit>::new()),
            Ok(new) => {
                let range = doc.lines.range(&doc.text, 0, doc.text.len(), self.enc);
                to_value(vec![lt::TextEdit { range, new_text: new }])
            }
            // The syntax errors are already shown; format-on-save must not
            // pop up an error for them.
            Err(crate::format::FormatError::Syntax(_)) => to_value(Vec::<lt::TextEdit>::new()),
            Err(e @ crate::format::FormatError::Internal(_)) => Err((REQUEST_FAILED, e.to_string())),
        }
    }

    pub(super) fn document_symbol(&mut self, p: lt::DocumentSymbolParams) -> Answer {
        let uri = p.text_document.uri;
        let Some(doc) = self.docs.get(uri.as_str()).filter(|d| !d.oversize) else {
            return Ok(Value::Null);
        };
        let symbols = match doc.kind {
            Kind::Case { json: false } => symbols::case_outline(&doc.text, &doc.lines, self.enc),
            Kind::Rules => match self.locate(&uri, lt::Position::default()) {
                Some((f, id, _)) => symbols::rule_outline(&f, id, self.enc),
                None => return Ok(Value::Null),
            },
            _ => return Ok(Value::Null),
        };
        to_value(lt::DocumentSymbolResponse::Nested(symbols))
    }

    /// A case file's lenses: `mtus test` on the file, `mtus explain` on
    /// each request. Each is a command `mtus.run` whose one argument is
    /// the command line to run (`["mtus", "explain", ...]`), with the rules
    /// the server checks the case with (`--rules DIR` or `--builtin-rules`).
    pub(super) fn code_lens(&mut self, p: lt::CodeLensParams) -> Answer {
        let uri = p.text_document.uri;
        let Some(doc) = self.docs.get(uri.as_str()).filter(|d| !d.oversize) else {
            return Ok(Value::Null);
        };
        let (Kind::Case { json: false }, Some(path)) = (doc.kind, doc.path.as_ref()) else {
            return to_value(Vec::<lt::CodeLens>::new());
        };
        let file = path.display().to_string();
        let rules: Vec<String> = match path.parent().and_then(workspace::find_rules_dir) {
            Some(dir) => vec!["--rules".into(), dir.display().to_string()],
            None => vec!["--builtin-rules".into()],
        };
        let lens = |title: String, at: lt::Range, args: Vec<String>| {
            let mut argv: Vec<String> = vec!["mtus".into()];
            argv.extend(args);
            lt::CodeLens {
                range: at,
                command: Some(lt::Command {
                    title,
                    command: "mtus.run".into(),
                    arguments: Some(vec![json!(argv)]),
                }),
                data: None,
            }
        };
        let mut lenses = Vec::new();
        let top = doc.lines.range(&doc.text, 0, 0, self.enc);
        let mut test = vec!["test".to_string()];
        test.extend(rules.iter().cloned());
        test.push(file.clone());
        lenses.push(lens("mtus test".into(), top, test));
        for r in symbols::case_requests(&doc.text) {
            let mut args = vec!["explain".to_string()];
            args.extend(rules.iter().cloned());
            args.extend([file.clone(), r.id.clone()]);
            let at = doc.lines.range(&doc.text, r.id_start, r.id_end, self.enc);
            lenses.push(lens(format!("mtus explain {}", r.id), at, args));
        }
        to_value(lenses)
    }

    pub(super) fn code_action(&mut self, p: lt::CodeActionParams) -> Answer {
        let uri = p.text_document.uri.clone();
        let Some((f, id, start)) = self.locate(&uri, p.range.start) else {
            return Ok(Value::Null);
        };
        let end = f
            .file(id)
            .map_or(start, |file| file.lines.offset(f.text(id), p.range.end, self.enc));
        let actions = actions::actions(&f, id, start, end.max(start), self.enc, &uri);
        to_value(actions)
    }
}
