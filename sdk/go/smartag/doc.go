// Read how many clients are online through an Alibaba Cloud Smart Access Gateway (SAG) APP instance, per client account, and assert on it during a deployment.
package smartag
