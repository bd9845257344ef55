export { freePort } from "@cartwheel/api/platform";
