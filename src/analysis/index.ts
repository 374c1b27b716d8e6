/** What a deformable network looks at (`tfdeform.analysis`): the DCN/DCNv2 papers' tools. */
export {};
