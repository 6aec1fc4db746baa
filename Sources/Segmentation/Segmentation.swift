// Features, bell detection and the segmenter.
