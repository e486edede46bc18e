package signature

// Guidance says what a finding of this category asks of the person who
// reads it: the action the prohibition suggests, not legal advice.
func (c Category) Guidance() string {
	switch c {
	case SecurityProduct, Engine, SDK, Driver, Updater:
		return "Kaspersky security software. Since 29 September 2024 it may not be sold, licensed, " +
			"integrated or updated for U.S. persons (ICTS Final Determination, 89 FR 52434). Remove or " +
			"replace it; when a supplier embeds it, ask for its replacement plan and date."
	case VendorIdentity:
		return "Software made by Kaspersky, of a kind the evidence does not tell. Find out what it does: " +
			"security functions fall under the prohibition, and products of AO Kaspersky Lab, OOO Kaspersky " +
			"Group and Kaspersky Labs Limited also need an export licence (Entity List, 89 FR 52362)."
	case Indicator:
		return "Indirect evidence that Kaspersky code or services are in use (hosts, install paths, file " +
			"names, strings). Confirm with the supplier or by inspecting the files; a scan of the files " +
			"themselves (pedigree scan DIR) often shows the maker."
	case DeveloperLibrary:
		return "Kaspersky-authored open-source developer tooling, not security software. Check that it " +
			"is a test or build dependency that does not ship; if so, record a waiver with the reason."
	case Exempt:
		return "A Kaspersky product the Final Determination exempts (threat intelligence, training). " +
			"Record it; no removal is required by the determination."
	case Mention:
		return "Kaspersky is only named in free text (a description, a comment, a string). No action, " +
			"unless other evidence points to the same component."
	}
	return ""
}
