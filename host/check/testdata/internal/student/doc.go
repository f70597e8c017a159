// Package student holds student-style plugins for the roles a student
// writes, each with mistakes that can be switched on: the corpus of wrong
// components that the check suites must catch. Each directory beside
// internal/ is one "submission" whose main turns on one mistake.
package student
