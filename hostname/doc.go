// Package hostname implements HostnameGenerators: which services get which
// DNS names in a Kuma-style mesh, why a service has none, and fast rendering
// of the templates that make them.
//
// Under MeshService mode Exclusive a proxy has outbounds only for the VIPs and
// hostnames of MeshServices, MeshExternalServices and MeshMultiZoneServices.
// A local Kubernetes ClusterIP Service needs no hostname: its MeshService
// carries the ClusterIP as its VIP, so "backend.kuma-demo.svc.cluster.local"
// keeps working through the cluster DNS, provided the MeshService is in the
// caller's mesh (a gateway that answered 502 after the switch to Exclusive did
// so because the Service and its Namespace lacked the kuma.io/mesh label, not
// for want of a generator). Hostnames are what callers resolve for everything
// without a Kubernetes DNS name: Universal MeshServices, services synced from
// other zones, MeshExternalServices and MeshMultiZoneServices. This package
// keeps the reference behaviour users depend on, fixes what was wrong, and
// explains its results.
//
// # Model
//
// A [Generator] selects services of one [Kind] (MeshService,
// MeshExternalService or MeshMultiZoneService) by label equality and renders
// its Template for each. Its JSON form is the resource's spec, so manifests
// decode into it; [DecodeManifest] reads a whole Kubernetes or Universal
// manifest. A [Service] carries the template fields; [ServiceFromLabels]
// derives them from a resource's labels as the control plane does.
//
// # Templates
//
// Templates use Go text/template syntax with one extra function, label "key"
// (error "label <key> not found"), and the fields .Name, .DisplayName,
// .Namespace, .Mesh and .Zone. [Compile] checks a template as admission does
// (empty, parse error, refused construct, render for a stub [Service]);
// [Template.Render] renders it for a service and checks the result:
//
//   - parsing refuses what no hostname needs ([ErrRefused]): range; define,
//     template and block; if and with nested more than 3 deep (an else-if
//     chain is one level); a printf format that is not a string literal,
//     or with a width or precision of more than 3 digits or taken from an
//     argument (*). The error names the construct and where it is. Admission
//     and generation refuse alike, so a stored generator that uses them fails
//     for every service with a template error;
//   - a template made of text, fields and label with a string literal (every
//     real generator) has a plan, made when it is compiled: Render sizes the
//     result, writes it in one allocation, without text/template;
//   - any other template runs through text/template with an output cap of
//     [MaxOutput] bytes and bounded string builtins ([ErrLimit]), and a panic
//     is returned as an error;
//   - either way the text is exactly text/template's for the same template
//     and data, and Render fails where text/template fails;
//   - the result must be a hostname by [naming.CheckHostname]: an RFC 1123
//     subdomain of at most 253 bytes (the Kubernetes rule and messages) and,
//     unlike the reference, every label at most 63 bytes, since a longer one
//     cannot be resolved. The error names the label. When a plan's text gives
//     every value a DNS label of its own, only the values need checking, with
//     [naming.IsDNS1123Label], and the whole text only when one fails.
//
// Errors are [*TemplateError] (with the reference messages, see
// [TemplateError.Message]) and [*SelectorError].
//
// # Generation
//
// [Generate] runs every generator over every service of its kind, in the
// reference order (zone-origin generators first, then creation time, then
// name; services by creation time, then name), so results match what users
// see today. Within a kind and mesh the first claim of a hostname wins;
// conditions carry the reference type and reasons (Generated, TemplateError,
// Collision). Fixed: the collision message names the winner (the reference
// named the loser itself); a service given one hostname twice has one
// address; a hostname held by services of different kinds is reported as a
// [Conflict] (DNS would answer for one silently); one template's failure
// affects its own (generator, service) pairs only. [Explain] says, for one
// service, which generators miss it and on which labels, and what became of
// the others, as a [Reason] per generator after a summary.
// [DefaultGenerators] returns exactly the shipped defaults;
// [OptionalGenerators] the local Kubernetes generators the reference's design
// describes but does not create (".svc.mesh.local" names), as an opt-in.
//
// # Incremental generation
//
// [Index] is the stateful form of [Generate] for a control plane that lives
// on a stream of changes: put or delete one generator or service, and it
// returns the [Changes] to the result, at a cost that is the size of the
// change, not of the mesh. After any sequence of calls its [Index.Result]
// equals Generate over the current generators and services, which is its
// oracle in the tests.
//
//   - Use Generate for a one-off computation, a check or a test, or when the
//     whole set is rebuilt anyway: it holds nothing between calls.
//   - Use an Index when the sets are long-lived and change one resource at a
//     time: a service change renders that service and re-decides the
//     hostnames it holds or claims; a generator change reaches the services
//     it selects through a label index. Write only the statuses in Changes.
//
// An Index is not safe for concurrent use; see [Index] for the rule.
//
// Non-goals: writing statuses, watching resources, the generator extension
// field, and deciding which mesh a Kubernetes Service belongs to.
//
// # Deliberate differences from the reference
//
// Generation, templates and admission follow Kuma v2.14.3. On Kubernetes a
// generator's name is its core name, "name.namespace" ([DecodeManifest],
// [DefaultGeneratorsIn]), as the reference's store names it, so ordering ties
// and statuses match. Where meshcore differs, on purpose:
//
//	reference does                  meshcore does                       why
//	------------------------------  ----------------------------------  ----------------------------------
//	accepts any RFC 1123 subdomain  also rejects a label over 63        such a name cannot be resolved
//	as a hostname                   bytes, naming it
//
//	names the losing service in a   names the winning service and its   the loser is the one reading it
//	collision message               generator
//
//	lets services of different      reports a Conflict (both keep it)   DNS answers for one of them
//	kinds hold one hostname                                             silently
//
//	gives a service two addresses   one address, and a Generated        an address list has no repeats
//	for one hostname from two       condition saying so
//	generators
//
//	runs text/template without      renders plain templates from a      speed, and a hostile template
//	limits                          plan, caps the others' output and   cannot stall generation
//	                                string builtins (ErrLimit)
//
//	accepts range, define,          refuses them at admission and       no hostname needs them; loops and
//	template and block              generation (ErrRefused)             recursion have no bound
//
//	accepts if and with nested      refuses nesting over 3 (ErrRefused) no hostname needs it
//	to any depth
//
//	accepts any printf format       refuses a format that is not a      unbounded padding; a computed
//	                                literal, widths and precisions of   format cannot be checked
//	                                over 3 digits or from an argument
//
//	leaves the order of same-named  breaks ties on mesh and kind        deterministic output
//	services arbitrary
//
//	validates spec.extension.type   does not model the extension        out of scope
package hostname
