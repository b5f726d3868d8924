/**
 * aws-cdk-lib's L2 classes declare some members `T | undefined` where the interface they implement says `?: T`,
 * so under `exactOptionalPropertyTypes` a `Bucket` is not an `IBucket` nor a stack synthesizer an
 * `IStackSynthesizer` (aws/aws-cdk#37996, open). This hands such a construct on as its interface: every member is
 * still checked, only `undefined` is let through where the interface makes a member optional. Remove it once
 * aws-cdk-lib's declarations follow their interfaces.
 */
export function asInterface<I>(construct: { readonly [K in keyof I]: I[K] | undefined }): I {
  return construct as I;
}
