# METADATA
# title: Triangulate entrypoint
# description: |
#   The single entrypoint the engine queries: the union of every rule's
#   findings. A rule joins the catalogue by living in a package under
#   triangulate.rules and defining `findings`.
# entrypoint: true
package triangulate.main

findings contains f if {
	some id
	some f in data.triangulate.rules[id].findings
}
