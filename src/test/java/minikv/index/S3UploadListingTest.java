package minikv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import minikv.index.S3UploadListing.Page;
import minikv.index.S3UploadListing.Upload;
import org.junit.jupiter.api.Test;

/** ListMultipartUploads' paging, as S3 defines its markers. */
class S3UploadListingTest {

    private static final Upload B = new Upload("b", "0002", 1);
    private static final Upload A2 = new Upload("a", "0009", 2);
    private static final Upload A1 = new Upload("a", "0003", 3);
    private static final Upload CD = new Upload("c/d", "0001", 4);
    private static final Upload E_ACUTE = new Upload("é", "0005", 5);
    private static final Upload Z = new Upload("z", "0004", 6);
    private static final List<Upload> ALL = List.of(B, A2, E_ACUTE, A1, CD, Z);

    @Test
    void uploadsComeInKeyOrderByUtf8BytesThenByUploadId() {
        Page page = S3UploadListing.page(ALL, "", "", "", 1000);
        assertEquals(List.of(A1, A2, B, CD, Z, E_ACUTE), page.uploads(), "é (0xC3 0xA9) sorts after z, as bytes");
        assertFalse(page.truncated());
    }

    @Test
    void pagesFollowOneAnotherThroughTheMarkersOfTheLastUploadListed() {
        Page first = S3UploadListing.page(ALL, "", "", "", 2);
        assertEquals(List.of(A1, A2), first.uploads());
        assertTrue(first.truncated());
        Page second = S3UploadListing.page(ALL, "", "a", "0009", 2);
        assertEquals(List.of(B, CD), second.uploads());
        assertTrue(second.truncated());
        Page third = S3UploadListing.page(ALL, "", "c/d", "0001", 2);
        assertEquals(List.of(Z, E_ACUTE), third.uploads());
        assertFalse(third.truncated());
    }

    @Test
    void anUploadIdMarkerKeepsTheLaterUploadsOfTheMarkersKeyAndAKeyMarkerAloneSkipsThemAll() {
        assertEquals(List.of(A2, B), S3UploadListing.page(ALL, "", "a", "0003", 2).uploads());
        assertEquals(List.of(B, CD), S3UploadListing.page(ALL, "", "a", "", 2).uploads());
    }

    @Test
    void aPrefixKeepsOnlyItsKeysAndZeroUploadsIsAnEmptyPageThatSaysThereAreMore() {
        assertEquals(List.of(CD), S3UploadListing.page(ALL, "c/", "", "", 1000).uploads());
        Page none = S3UploadListing.page(ALL, "", "", "", 0);
        assertEquals(List.of(), none.uploads());
        assertTrue(none.truncated());
    }
}
