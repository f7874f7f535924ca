// Package linkedintest is a fake LinkedIn REST API for tests: posts
// (create, list by author), image and multi-part video uploads with
// upload URLs it serves itself, image and video processing, share and
// member post statistics, social actions and the OAuth token endpoint,
// over HTTP on a loopback
// address, with faults on demand and a log of what it saw.
//
// Like net/http/httptest, New starts a Server and Close stops it; URL is
// a linkedin.Publisher's BaseURL and TokenURL a linkedin.OAuth's.
//
// # Protocol
//
//	POST /rest/posts                          {author, commentary, visibility, distribution,
//	                                          content{media|multiImage|article}, lifecycleState}
//	                                          -> 201, x-restli-id urn:li:share:N (urn:li:ugcPost:N for video)
//	GET  /rest/posts?q=author&author=&count=&start=&sortBy=   (X-RestLi-Method: FINDER)
//	                                          -> {elements (newest first), paging}
//	POST /rest/images?action=initializeUpload {initializeUploadRequest{owner}}
//	                                          -> {value{image, uploadUrl, uploadUrlExpiresAt}}
//	GET  /rest/images/{urn}                   {status: WAITING_UPLOAD, PROCESSING, AVAILABLE,
//	                                          PROCESSING_FAILED, processingFailureReason}
//	POST /rest/documents?action=initializeUpload {initializeUploadRequest{owner}}
//	                                          -> {value{document, uploadUrl, uploadUrlExpiresAt}}
//	GET  /rest/documents/{urn}                as images
//	POST /rest/videos?action=initializeUpload {initializeUploadRequest{owner, fileSizeBytes}}
//	                                          -> {value{video, uploadToken, uploadInstructions[{uploadUrl,
//	                                             firstByte, lastByte}], uploadUrlsExpireAt}}
//	PUT  {uploadUrl}                          bytes; a video part must be exactly its range -> ETag
//	POST /rest/videos?action=finalizeUpload   {finalizeUploadRequest{video, uploadToken, uploadedPartIds}}
//	GET  /rest/videos/{urn}                   {status: WAITING_UPLOAD, PROCESSING, AVAILABLE,
//	                                          PROCESSING_FAILED, processingFailureReason}
//	GET  /rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=
//	                                          [&shares=List(..)][&ugcPosts=List(..)]
//	GET  /rest/networkSizes/{org}?edgeType=COMPANY_FOLLOWED_BY_MEMBER  -> {firstDegreeSize}
//	GET  /rest/memberCreatorPostAnalytics?q=me|entity&entity=(share:urn)&queryType=&aggregation=TOTAL
//	GET  /rest/socialActions?ids=List(urn%3A..,..)  BATCH_GET: {results{urn: {likesSummary{totalLikes},
//	                                          commentsSummary{totalFirstLevelComments,
//	                                          aggregatedTotalComments}}}, statuses, errors (404s)}
//	GET  /rest/socialActions/{urn}            one summary
//	GET  /rest/organizationAcls?q=roleAssignee[&role=][&state=][&start=][&count=]   (FINDER)
//	                                          -> {elements[{roleAssignee, role, state, organization}],
//	                                          paging{start, count (default 10, at most 100), total}}
//	POST /oauth/v2/accessToken                grant_type=refresh_token, refresh_token, client_id,
//	                                          client_secret
//
// The organization finder answers the roles of the token's member (a
// consent's token, or IssueToken's; SetOrganizationRole gives roles),
// only to a token with r_organization_admin or rw_organization_admin,
// filtered by role and state, a page at a time (organizations.go). A
// consent's member may post as an organization only where an APPROVED
// ADMINISTRATOR, CONTENT_ADMINISTRATOR or DIRECT_SPONSORED_CONTENT_POSTER
// role allows it (403 ACCESS_DENIED otherwise); the tests' own tokens
// name no member and are not checked. A consent's token carries exactly
// the scopes granted.
//
// API calls need LinkedIn-Version (YYYYMM) and X-Restli-Protocol-Version
// 2.0.0, and a Bearer token: any works except TokenRevoked and
// TokenExpired (401). A version is served on the server's clock as
// LinkedIn serves it: from its month to the 15th of the same month a
// year on; before and after, every call answers 426 (Sunset ends one
// early). Each token has the scopes granted when it was issued (a
// consent's, IssueToken's; OrdinaryScopes for any other) and each posts or upload call needs its own: w_*_social to
// create or upload, r_*_social to list, member or organization by the
// author (image and video uploads too, by their owner); a missing one
// answers 403 ACCESS_DENIED (serviceErrorCode 100),
// so listing a member's posts needs the closed r_member_social. Errors
// are LinkedIn's: {message, status, serviceErrorCode, code}. An article
// needs its title and may name an AVAILABLE image as thumbnail; a
// document is posted as content.media with a required title. Commentary must be valid
// little text (ParseLittle, strict: LinkedIn would cut the post at an
// unescaped reserved character; the fake answers 422 instead). A post
// may only show AVAILABLE images (422 otherwise). A post
// with the same author, commentary and content as an earlier one is
// refused with 422 DUPLICATE_POST naming the earlier URN, as LinkedIn
// does.
//
// # Time, faults and what the server saw
//
// SetClock gives the server the test's fake clock; SetPartSize makes
// small video parts; SetProcessing decides how finalized videos get
// ready (after a number of status reads, or PROCESSING_FAILED), and
// SetImageProcessing the same for uploaded images (AVAILABLE at once by
// default); SetShareStatistics, SetFollowers, SetMemberAnalytics and
// SetSocialActions set the numbers analytics reads;
// SetListLag hides young posts from the finder, as a lagging index.
// FailNext makes the next calls to an Endpoint fail with any status and
// LinkedIn error (Retry-After headers, Echo to repeat the token and URL
// in the message), or, with Fault.Lost, take effect and drop the
// connection: a lost create answer. Calls is the call log (headers,
// query, body); Posts, Created(text), Videos and PartUploads tell what
// each post produced:
//
//	srv := linkedintest.New()
//	defer srv.Close()
//	srv.FailNext(linkedintest.EndpointCreatePost, 1, linkedintest.Fault{Lost: true})
//	// ... publish "Hello" through srv.URL(), twice ...
//	if srv.Created("Hello") != 1 { t.Error("posted twice") }
//
// Comments and deletions: POST and GET /rest/socialActions/{urn}/comments
// (writing needs the author's w_*_social, reading r_*_social, which a
// member's token lacks by default), DELETE /rest/posts/{urn} (204, also
// when already deleted) and GET /rest/posts/{urn} (404 once deleted);
// EndpointComment, EndpointComments, EndpointDeletePost and
// EndpointGetPost take faults, Lost ones included.
package linkedintest
