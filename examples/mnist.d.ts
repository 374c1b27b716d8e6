declare module "mnist";
